package dev.wanx.reduce;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32C;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.CompactionOptionsFIFO;
import org.rocksdb.CompactionStyle;
import org.rocksdb.CompressionType;
import org.rocksdb.DBOptions;
import org.rocksdb.FlushOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * The chunk dictionary: a size-bounded, content-addressed cache in RocksDB.
 *
 * <p>Layout: column family {@code chunks} maps fingerprint (20 B) to {@code [crc32c u32][epoch u64][bytes]};
 * {@code members} maps {@code peerKey (8 B) ‖ fingerprint} to {@code [epoch u64]} and records which peer has
 * sent or received which chunk (the cross-peer rule: a REF goes to a peer only for a chunk in its own set). A
 * per-peer key prefix costs ~40 B per (peer, chunk) but needs no extra structure and ages out with the same FIFO
 * as everything else; a per-peer Bloom filter would be smaller but can answer "yes" falsely, i.e. leak.
 *
 * <p>Bounding: both families use FIFO compaction capped by total SST size ({@code maxBytes} split 15/16 chunks,
 * 1/16 members), so the oldest files are dropped as new ones are flushed. "Epoch" is a running count of bytes
 * written; a hit on an entry older than half the bound is re-inserted so hot chunks survive FIFO eviction while
 * once-seen ones age out. WAL is off (it is a cache; {@link #close} flushes memtables so a clean restart keeps
 * everything; a crash loses at most the memtables). Checksum mismatches are counted and treated as misses.
 *
 * <p>Threading: the synchronous methods may block on disk; the {@code *Async} ones run them on one dedicated
 * thread with a bounded queue and fail fast (RejectedExecutionException) when it is full, so callers degrade
 * (send literals, ask for chunks) instead of piling up.
 */
public final class ChunkStore implements AutoCloseable {
    static { RocksDB.loadLibrary(); }

    private static final byte[] STATS_KEY = "wanx.stats".getBytes(StandardCharsets.US_ASCII);
    private static final int HDR = 12;

    private final RocksDB db;
    private final ColumnFamilyHandle chunks;
    private final ColumnFamilyHandle members;
    private final List<ColumnFamilyHandle> handles;
    private final List<AutoCloseable> resources = new ArrayList<>();
    private final WriteOptions writeOptions;
    private final ThreadPoolExecutor executor;
    private final boolean readOnly;
    private final long maxBytes;
    private final long reinsertAge;

    private final AtomicLong epoch = new AtomicLong();
    private final AtomicLong hits = new AtomicLong();
    private final AtomicLong misses = new AtomicLong();
    private final AtomicLong corrupt = new AtomicLong();
    private final AtomicLong bytesSaved = new AtomicLong();
    private final AtomicLong reinserted = new AtomicLong();

    private ChunkStore(Path dir, long maxBytes, boolean readOnly, int queue) throws RocksDBException {
        this.maxBytes = maxBytes;
        this.readOnly = readOnly;
        long membersMax = Math.max(1L << 20, maxBytes / 16);
        long chunksMax = Math.max(1L << 20, maxBytes - membersMax);
        this.reinsertAge = chunksMax / 2;
        // Small write buffers relative to the bound: FIFO can only drop whole files, so files must be a fraction.
        long wb = Math.max(1L << 20, Math.min(64L << 20, chunksMax / 8));
        DBOptions dbo = keep(new DBOptions().setCreateIfMissing(true).setCreateMissingColumnFamilies(true)
                .setMaxBackgroundJobs(2).setKeepLogFileNum(2));
        List<ColumnFamilyDescriptor> cfs = List.of(
                new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, cfOptions(1L << 20, 1L << 20)),
                new ColumnFamilyDescriptor("chunks".getBytes(StandardCharsets.US_ASCII), cfOptions(chunksMax, wb)),
                new ColumnFamilyDescriptor("members".getBytes(StandardCharsets.US_ASCII),
                        cfOptions(membersMax, Math.max(1L << 20, Math.min(wb, membersMax / 4)))));
        handles = new ArrayList<>();
        if (readOnly) {
            db = RocksDB.openReadOnly(dbo, dir.toString(), cfs, handles);
        } else {
            try {
                Files.createDirectories(dir);
            } catch (java.io.IOException e) {
                throw new RocksDBException("cannot create " + dir + ": " + e.getMessage());
            }
            db = RocksDB.open(dbo, dir.toString(), cfs, handles);
        }
        chunks = handles.get(1);
        members = handles.get(2);
        writeOptions = keep(new WriteOptions().setDisableWAL(true));
        loadCounters();
        executor = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(queue), r -> {
            Thread t = new Thread(r, "wanx-dict");
            t.setDaemon(true);
            return t;
        }, new ThreadPoolExecutor.AbortPolicy());
    }

    public static ChunkStore open(Path dir, long maxBytes) throws RocksDBException {
        return new ChunkStore(dir, maxBytes, false, 1024); // jobs carry chunk bytes: bound the memory they pin
    }

    /** Opens for {@code wanx dict stats} while nothing else has to write (RocksDB read-only mode). */
    public static ChunkStore openReadOnly(Path dir) throws RocksDBException {
        return new ChunkStore(dir, Long.MAX_VALUE / 4, true, 16);
    }

    private ColumnFamilyOptions cfOptions(long fifoMax, long writeBuffer) {
        BlockBasedTableConfig table = new BlockBasedTableConfig()
                .setFilterPolicy(keep(new BloomFilter(10, false))) // a miss costs no data-block read
                .setBlockSize(16 * 1024);
        ColumnFamilyOptions o = new ColumnFamilyOptions()
                .setCompactionStyle(CompactionStyle.FIFO)
                .setCompactionOptionsFIFO(keep(new CompactionOptionsFIFO().setMaxTableFilesSize(fifoMax)
                        .setAllowCompaction(false)))
                .setWriteBufferSize(writeBuffer)
                .setMaxWriteBufferNumber(4) // let a flush lag without stalling writers
                // FIFO keeps every file in L0: the default L0 slowdown/stop triggers (20/36 files) would throttle
                // and then stop writes once a large dictionary holds more files than that.
                .setLevel0SlowdownWritesTrigger(1 << 30)
                .setLevel0StopWritesTrigger(1 << 30)
                .setCompressionType(CompressionType.NO_COMPRESSION) // literals are zstd'd on the wire already
                .setTableFormatConfig(table);
        o.setTtl(0); // FIFO by size only
        return keep(o);
    }

    private <T extends AutoCloseable> T keep(T t) {
        resources.add(t);
        return t;
    }

    /** Stable 8-byte key for a peer name (prefix of its SHA-256), used for the membership family. */
    public static long peerKey(String peerName) {
        return ByteBuffer.wrap(Fingerprint.of(peerName.getBytes(StandardCharsets.UTF_8)).bytes()).getLong();
    }

    // ---------------------------------------------------------------- synchronous API (dictionary thread, tools, tests)

    /** Looks chunks up for decoding a peer's references; null = miss (absent or corrupt). Records membership. */
    public List<byte[]> lookup(long peer, List<Fingerprint> fps) throws RocksDBException {
        List<byte[]> keys = new ArrayList<>(fps.size());
        for (Fingerprint f : fps) keys.add(f.bytes());
        List<byte[]> raw = db.multiGetAsList(repeat(chunks, keys.size()), keys);
        List<byte[]> out = new ArrayList<>(raw.size());
        long now = epoch.get();
        try (WriteBatch wb = new WriteBatch()) {
            for (int i = 0; i < raw.size(); i++) {
                byte[] data = unwrap(raw.get(i));
                out.add(data);
                if (data == null) {
                    misses.incrementAndGet();
                    continue;
                }
                hits.incrementAndGet();
                bytesSaved.addAndGet(data.length);
                if (readOnly) continue;
                if (now - epochOf(raw.get(i)) > reinsertAge) {
                    reinserted.incrementAndGet();
                    wb.put(chunks, keys.get(i), wrap(data));
                }
                // The peer referenced it, so the peer has it: it may be referenced back to that peer.
                wb.put(members, memberKey(peer, keys.get(i)), epochValue());
            }
            if (wb.count() > 0) db.write(writeOptions, wb);
        }
        return out;
    }

    /** Reads a chunk without counting a hit or miss (the sender answering a MISS from its own dictionary). */
    public byte[] peek(Fingerprint fp) throws RocksDBException {
        return unwrap(db.get(chunks, fp.bytes()));
    }

    /** Single-chunk lookup without peer bookkeeping (tools, tests). */
    public byte[] get(Fingerprint fp) throws RocksDBException {
        byte[] d = unwrap(db.get(chunks, fp.bytes()));
        if (d == null) misses.incrementAndGet(); else hits.incrementAndGet();
        return d;
    }

    /**
     * For the sending side: which of these chunks may be sent as a reference to {@code peer} (it already sent or
     * received them), and learns all of them (stores new/aged chunks and the peer's membership) in one batch.
     */
    public boolean[] prepareSend(long peer, List<Fingerprint> fps, List<byte[]> data) throws RocksDBException {
        List<byte[]> mkeys = new ArrayList<>(fps.size());
        for (Fingerprint f : fps) mkeys.add(memberKey(peer, f.bytes()));
        List<byte[]> got = db.multiGetAsList(repeat(members, mkeys.size()), mkeys);
        boolean[] known = new boolean[fps.size()];
        long now = epoch.get();
        try (WriteBatch wb = new WriteBatch()) {
            for (int i = 0; i < known.length; i++) {
                byte[] m = got.get(i);
                known[i] = m != null && m.length == 8;
                if (known[i] && now - ByteBuffer.wrap(m).getLong() <= reinsertAge) continue;
                if (known[i]) reinserted.incrementAndGet();
                wb.put(chunks, fps.get(i).bytes(), wrap(data.get(i)));
                wb.put(members, mkeys.get(i), epochValue());
            }
            if (wb.count() > 0) db.write(writeOptions, wb);
        }
        return known;
    }

    /** Learns chunks that crossed the link in clear (literals sent or received) and marks the peer as having them. */
    public void learn(long peer, List<Fingerprint> fps, List<byte[]> data) throws RocksDBException {
        try (WriteBatch wb = new WriteBatch()) {
            for (int i = 0; i < fps.size(); i++) {
                byte[] k = fps.get(i).bytes();
                wb.put(chunks, k, wrap(data.get(i)));
                wb.put(members, memberKey(peer, k), epochValue());
            }
            db.write(writeOptions, wb);
        }
    }

    /** True if {@code peer} is recorded as having the chunk (tests, tools). */
    public boolean peerHas(long peer, Fingerprint fp) throws RocksDBException {
        return db.get(members, memberKey(peer, fp.bytes())) != null;
    }

    /** Test hook: overwrites a stored value verbatim, e.g. to simulate disk corruption. */
    void putRaw(Fingerprint fp, byte[] value) throws RocksDBException {
        db.put(chunks, writeOptions, fp.bytes(), value);
    }

    /** Test hook: stores {@code data} under {@code fp} with a valid checksum (a wrong entry only SHA-256 can catch). */
    void putUnchecked(Fingerprint fp, byte[] data) throws RocksDBException {
        db.put(chunks, writeOptions, fp.bytes(), wrap(data));
    }

    byte[] getRaw(Fingerprint fp) throws RocksDBException {
        return db.get(chunks, fp.bytes());
    }

    /** Flushes memtables to SST files (so size accounting and FIFO eviction see them). */
    public void flush() throws RocksDBException {
        if (readOnly) return;
        saveCounters();
        try (FlushOptions fo = new FlushOptions().setWaitForFlush(true)) {
            db.flush(fo, handles);
        }
    }

    public DictStats stats() {
        long size = 0, n = 0;
        try {
            for (ColumnFamilyHandle h : List.of(chunks, members)) {
                size += db.getLongProperty(h, "rocksdb.total-sst-files-size");
                size += db.getLongProperty(h, "rocksdb.cur-size-all-mem-tables");
            }
            n = db.getLongProperty(chunks, "rocksdb.estimate-num-keys");
        } catch (RocksDBException e) {
            // stats are best effort
        }
        return new DictStats(size, maxBytes, n, hits.get(), misses.get(), corrupt.get(), bytesSaved.get(), reinserted.get());
    }

    // ---------------------------------------------------------------- async API (codec)

    public CompletableFuture<List<byte[]>> lookupAsync(long peer, List<Fingerprint> fps) {
        return submit(() -> lookup(peer, fps));
    }

    public CompletableFuture<boolean[]> prepareSendAsync(long peer, List<Fingerprint> fps, List<byte[]> data) {
        return submit(() -> prepareSend(peer, fps, data));
    }

    public CompletableFuture<Void> learnAsync(long peer, List<Fingerprint> fps, List<byte[]> data) {
        return submit(() -> {
            learn(peer, fps, data);
            return null;
        });
    }

    /** Runs {@code job} on the dictionary thread; fails at once (not blocking the caller) if the queue is full. */
    public <T> CompletableFuture<T> submit(Callable<T> job) {
        CompletableFuture<T> f = new CompletableFuture<>();
        try {
            executor.execute(() -> {
                try {
                    f.complete(job.call());
                } catch (Throwable t) {
                    f.completeExceptionally(t);
                }
            });
        } catch (RejectedExecutionException e) {
            f.completeExceptionally(e);
        }
        return f;
    }

    // ---------------------------------------------------------------- value format (encoded/decoded only here)

    private byte[] wrap(byte[] data) {
        long e = epoch.addAndGet(data.length);
        byte[] v = new byte[HDR + data.length];
        ByteBuffer bb = ByteBuffer.wrap(v).order(ByteOrder.BIG_ENDIAN);
        bb.putInt((int) crc(data, 0, data.length)).putLong(e).put(data);
        return v;
    }

    private byte[] unwrap(byte[] v) {
        if (v == null) return null;
        if (v.length < HDR) {
            corrupt.incrementAndGet();
            return null;
        }
        int want = ByteBuffer.wrap(v).getInt();
        if ((int) crc(v, HDR, v.length - HDR) != want) {
            corrupt.incrementAndGet();
            return null;
        }
        return Arrays.copyOfRange(v, HDR, v.length);
    }

    private static long epochOf(byte[] v) {
        return ByteBuffer.wrap(v, 4, 8).getLong();
    }

    private byte[] epochValue() {
        return ByteBuffer.allocate(8).putLong(epoch.get()).array();
    }

    private static long crc(byte[] b, int off, int len) {
        CRC32C c = new CRC32C();
        c.update(b, off, len);
        return c.getValue();
    }

    private static byte[] memberKey(long peer, byte[] fp) {
        return ByteBuffer.allocate(8 + fp.length).putLong(peer).put(fp).array();
    }

    private static List<ColumnFamilyHandle> repeat(ColumnFamilyHandle h, int n) {
        List<ColumnFamilyHandle> l = new ArrayList<>(n);
        for (int i = 0; i < n; i++) l.add(h);
        return l;
    }

    private void loadCounters() throws RocksDBException {
        byte[] s = db.get(STATS_KEY);
        if (s == null || s.length < 40) return;
        ByteBuffer bb = ByteBuffer.wrap(s);
        epoch.set(bb.getLong());
        hits.set(bb.getLong());
        misses.set(bb.getLong());
        corrupt.set(bb.getLong());
        bytesSaved.set(bb.getLong());
    }

    private void saveCounters() throws RocksDBException {
        byte[] s = ByteBuffer.allocate(40).putLong(epoch.get()).putLong(hits.get()).putLong(misses.get())
                .putLong(corrupt.get()).putLong(bytesSaved.get()).array();
        db.put(writeOptions, STATS_KEY, s);
    }

    /** Drains queued work, flushes memtables (the WAL is off) and closes. */
    @Override public void close() {
        executor.shutdown();
        try {
            executor.awaitTermination(30, TimeUnit.SECONDS);
            flush();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RocksDBException e) {
            // closing anyway; a cache may lose its newest entries
        }
        for (ColumnFamilyHandle h : handles) h.close();
        db.close();
        for (int i = resources.size() - 1; i >= 0; i--) {
            try { resources.get(i).close(); } catch (Exception ignored) { }
        }
    }
}
