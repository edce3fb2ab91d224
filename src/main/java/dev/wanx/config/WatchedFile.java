package dev.wanx.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.logging.Logger;

/**
 * A config file kept current: polled (modification time and size; the content's hash decides), re-parsed when it
 * changes, and handed to the listeners when the value it holds changed. An edit that does not parse, or a file that
 * cannot be read, is logged once with the reason and the last good value stays in force. Polls on a small daemon
 * thread of its own (or an injected executor), never on a Netty event loop: reading a file may block. Subclasses may
 * say how a value reads in the log ({@link #describe}, {@link #describeChange}).
 */
public class WatchedFile<T> implements AutoCloseable {
    // Only the far watches files (--near-policy, --fleet-file): these lines belong in its log.
    private static final Logger LOG = Logger.getLogger("wanx.far");
    public static final Duration POLL = Duration.ofSeconds(1);
    /**
     * A file modified this recently is re-read at every poll even when time and size look unchanged: a second edit
     * within the file system's timestamp granularity, with the same size, would otherwise go unseen.
     */
    static final long RACY_MS = 2_000;

    private final Path file;
    private final String what;
    private final Function<String, T> parse;
    private final LongSupplier wallClockMs;
    private final List<Consumer<T>> listeners = new CopyOnWriteArrayList<>();
    private volatile T current;
    private ScheduledExecutorService executor;
    private boolean ownExecutor;
    private ScheduledFuture<?> task;
    // last look at the file (under this object's lock)
    private FileTime mtime;
    private long size;
    private String hash;
    private String lastProblem;

    /**
     * Reads the file now; it must hold a valid value.
     *
     * @param what names the file in log lines, e.g. "near policy"
     * @param parse the content to a value; throws IllegalArgumentException naming the line when it is invalid
     * @param wallClockMs milliseconds since the epoch, as file times count (tests pass their own)
     * @throws IOException when the file cannot be read
     * @throws IllegalArgumentException when its content is invalid
     */
    public WatchedFile(Path file, String what, Function<String, T> parse, LongSupplier wallClockMs) throws IOException {
        this.file = file;
        this.what = what;
        this.parse = parse;
        this.wallClockMs = wallClockMs;
        BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class); // before the read: a later write shows
        byte[] content = Files.readAllBytes(file);
        this.current = parse.apply(new String(content, StandardCharsets.UTF_8));
        this.mtime = a.lastModifiedTime();
        this.size = a.size();
        this.hash = sha256(content);
    }

    public Path path() { return file; }

    /** The value in force: the file's latest valid content. */
    public T current() { return current; }

    /** Called with each new value, on the polling thread. */
    public void addListener(Consumer<T> l) { listeners.add(l); }

    /** How the value in force reads after "keeping " in a warning. */
    protected String describe(T value) { return "the last good one"; }

    /** How a change reads in the log line that reports it. */
    protected String describeChange(T old, T next) { return "changed"; }

    /** Polls every second on a daemon thread of its own, closed by {@link #close}. */
    public synchronized void start() {
        if (task != null) throw new IllegalStateException("already started");
        ScheduledExecutorService e = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "wanx-" + what.replace(' ', '-'));
            t.setDaemon(true);
            return t;
        });
        ownExecutor = true;
        start(e, POLL);
    }

    /** Polls every {@code period} on {@code executor} (not closed by {@link #close} unless it is our own). */
    public synchronized void start(ScheduledExecutorService executor, Duration period) {
        if (task != null) throw new IllegalStateException("already started");
        this.executor = executor;
        long ms = Math.max(1, period.toMillis());
        task = executor.scheduleWithFixedDelay(this::pollQuietly, ms, ms, TimeUnit.MILLISECONDS);
    }

    private void pollQuietly() {
        try {
            poll();
        } catch (RuntimeException e) { // an exception would cancel the schedule: polling must go on
            LOG.warning(what + " " + file + ": " + e);
        }
    }

    /**
     * Looks at the file once. Returns true when it now holds a different valid value (the listeners have been
     * called); false when nothing changed, the bytes changed but not the value, or the new content is invalid
     * (logged, the last good value stays).
     */
    public synchronized boolean poll() {
        BasicFileAttributes a;
        byte[] content;
        try {
            a = Files.readAttributes(file, BasicFileAttributes.class);
            boolean racy = wallClockMs.getAsLong() - a.lastModifiedTime().toMillis() < RACY_MS;
            if (a.lastModifiedTime().equals(mtime) && a.size() == size && !racy) return false;
            content = Files.readAllBytes(file);
        } catch (IOException e) {
            problem("cannot read it (" + e + ")");
            return false;
        }
        mtime = a.lastModifiedTime();
        size = a.size();
        lastProblem = null; // readable again; an invalid content warns once per content (the hash below)
        String h = sha256(content);
        if (h.equals(hash)) return false;
        hash = h;
        T next;
        try {
            next = parse.apply(new String(content, StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            problem(e.getMessage() != null ? e.getMessage() : e.toString());
            return false;
        }
        T old = current;
        if (Objects.equals(next, old)) return false; // comments or spacing only
        current = next;
        LOG.info(what + " " + file + ": " + describeChange(old, next));
        for (Consumer<T> l : listeners) {
            try {
                l.accept(next);
            } catch (RuntimeException e) {
                LOG.warning(what + " listener failed: " + e);
            }
        }
        return true;
    }

    private void problem(String why) {
        if (why.equals(lastProblem)) return; // once per problem, not every second
        lastProblem = why;
        LOG.warning(what + " " + file + ": " + why + "; keeping " + describe(current));
    }

    private static String sha256(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override public synchronized void close() {
        if (task != null) task.cancel(false);
        if (ownExecutor) executor.shutdownNow();
    }
}
