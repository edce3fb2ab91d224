package dev.wanx.transport.path;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.logging.Logger;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;

/**
 * Path history in a small RocksDB under the near's state folder ({@code STATE/paths}). All records are read
 * into memory at open (one per network context: a handful), so a lookup never touches disk; writes go to
 * one background thread with a bounded queue (a full queue drops the write: history is a hint).
 */
public final class RocksPathMemory implements PathMemory, AutoCloseable {
    private static final Logger LOG = Logger.getLogger("wanx.path");
    /** Contexts kept; the least recently saved go first beyond this. */
    static final int MAX_CONTEXTS = 1024;

    static { RocksDB.loadLibrary(); }

    private final Options options;
    private final RocksDB db;
    private final Map<String, PathRecord> records = new ConcurrentHashMap<>();
    private final ExecutorService writer;
    private final long maxAgeMillis;
    private final LongSupplier clockMillis;

    private RocksPathMemory(Options options, RocksDB db, long maxAgeMillis, LongSupplier clockMillis) {
        this.options = options;
        this.db = db;
        this.maxAgeMillis = maxAgeMillis;
        this.clockMillis = clockMillis;
        this.writer = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(64), r -> {
            Thread t = new Thread(r, "wanx-path-history");
            t.setDaemon(true);
            return t;
        }, new ThreadPoolExecutor.DiscardPolicy());
        try (RocksIterator it = db.newIterator()) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                PathRecord r = PathRecord.decode(it.value());
                if (r != null) {
                    records.put(new String(it.key(), StandardCharsets.UTF_8), r);
                }
            }
        }
    }

    /**
     * @param maxAgeMillis records older than this are treated as unknown (paths change: a week-old rate is a guess)
     */
    public static RocksPathMemory open(Path dir, long maxAgeMillis, LongSupplier clockMillis) throws java.io.IOException {
        Files.createDirectories(dir);
        Options o = new Options().setCreateIfMissing(true).setKeepLogFileNum(2).setMaxOpenFiles(16)
                .setWriteBufferSize(256 << 10).setInfoLogLevel(org.rocksdb.InfoLogLevel.WARN_LEVEL);
        try {
            return new RocksPathMemory(o, RocksDB.open(o, dir.toString()), maxAgeMillis, clockMillis);
        } catch (RocksDBException e) {
            o.close();
            throw new java.io.IOException("cannot open the path history in " + dir + ": " + e.getMessage(), e);
        }
    }

    /** How long a record counts: paths change, and a week-old rate is only a guess (validation still guards it). */
    public static final long MAX_AGE_MILLIS = 7L * 24 * 3600 * 1000;

    /**
     * The history under {@code stateDir/paths}, or {@link PathMemory#NONE} when off, without a state folder, or when
     * it cannot be opened (e.g. another process holds it): history is a hint, never a reason not to start.
     */
    public static PathMemory openOrNone(Path stateDir, boolean enabled) {
        if (!enabled || stateDir == null) {
            return PathMemory.NONE;
        }
        try {
            return open(stateDir.resolve("paths"), MAX_AGE_MILLIS, System::currentTimeMillis);
        } catch (java.io.IOException | RuntimeException e) {
            LOG.warning("path history off: " + e.getMessage());
            return PathMemory.NONE;
        }
    }

    /** Closes {@code m} if it is a database (NONE needs nothing). */
    public static void closeQuietly(PathMemory m) {
        if (m instanceof RocksPathMemory r) {
            r.close();
        }
    }

    @Override
    public PathRecord lookup(String context) {
        PathRecord r = records.get(context);
        if (r == null || clockMillis.getAsLong() - r.savedAtMillis() > maxAgeMillis) {
            return null;
        }
        return r;
    }

    @Override
    public void remember(String context, PathRecord record) {
        records.put(context, record);
        if (records.size() > MAX_CONTEXTS) {
            records.entrySet().stream().min((a, b) -> Long.compare(a.getValue().savedAtMillis(), b.getValue().savedAtMillis()))
                    .ifPresent(e -> forget(e.getKey()));
        }
        byte[] key = context.getBytes(StandardCharsets.UTF_8);
        byte[] value = record.encode();
        writer.execute(() -> {
            try {
                db.put(key, value);
            } catch (RocksDBException e) {
                LOG.warning("path history: cannot save " + context + ": " + e.getMessage());
            }
        });
    }

    private void forget(String context) {
        records.remove(context);
        byte[] key = context.getBytes(StandardCharsets.UTF_8);
        writer.execute(() -> {
            try {
                db.delete(key);
            } catch (RocksDBException e) {
                LOG.warning("path history: cannot drop " + context + ": " + e.getMessage());
            }
        });
    }

    /** Contexts held (for status output and tests). */
    public Map<String, PathRecord> snapshot() { return Map.copyOf(records); }

    /** Waits for pending writes, then closes the database. */
    @Override
    public void close() {
        writer.shutdown();
        try {
            writer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        db.close();
        options.close();
    }
}
