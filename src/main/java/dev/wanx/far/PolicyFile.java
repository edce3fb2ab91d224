package dev.wanx.far;

import dev.wanx.config.NearPolicy;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.logging.Logger;

/**
 * The far's {@code --near-policy FILE}, kept current: polled every second (modification time and size; the content's
 * hash decides), re-read when it changes, and handed to the listeners when the policy it holds changed. An edit that
 * does not parse is logged with the reason and the last good policy stays in force. Polls on a small daemon thread of
 * its own (or an injected executor), never on a Netty event loop: reading a file may block.
 */
public final class PolicyFile implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger("wanx.far");
    public static final Duration POLL = Duration.ofSeconds(1);
    /**
     * A file modified this recently is re-read at every poll even when time and size look unchanged: a second edit
     * within the file system's timestamp granularity, with the same size, would otherwise go unseen.
     */
    static final long RACY_MS = 2_000;

    private final Path file;
    private final LongSupplier wallClockMs;
    private final List<Consumer<NearPolicy>> listeners = new CopyOnWriteArrayList<>();
    private volatile NearPolicy current;
    private ScheduledExecutorService executor;
    private boolean ownExecutor;
    private ScheduledFuture<?> task;
    // last look at the file (under this object's lock)
    private FileTime mtime;
    private long size = -1;
    private String hash;
    private String lastProblem;

    /**
     * Reads the file now; it must hold a valid policy.
     *
     * @param wallClockMs milliseconds since the epoch, as file times count (tests pass their own)
     * @throws IOException when the file cannot be read
     * @throws IllegalArgumentException when its content is invalid (the message names the line or key)
     */
    public PolicyFile(Path file, LongSupplier wallClockMs) throws IOException {
        this.file = file;
        this.wallClockMs = wallClockMs;
        BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class); // before the read: a later write shows
        byte[] content = Files.readAllBytes(file);
        this.current = NearPolicy.parse(new String(content, StandardCharsets.UTF_8));
        this.mtime = a.lastModifiedTime();
        this.size = a.size();
        this.hash = sha256(content);
    }

    public PolicyFile(Path file) throws IOException { this(file, System::currentTimeMillis); }

    public Path path() { return file; }

    /** The policy in force: the file's latest valid content. */
    public NearPolicy current() { return current; }

    /** Called with each new policy, on the polling thread. */
    public void addListener(Consumer<NearPolicy> l) { listeners.add(l); }

    /** Polls every second on a daemon thread of its own. */
    public synchronized void start() {
        if (task != null) throw new IllegalStateException("already started");
        ScheduledExecutorService e = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "wanx-near-policy");
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
            LOG.warning("near policy " + file + ": " + e);
        }
    }

    /**
     * Looks at the file once. Returns true when it now holds a different valid policy (the listeners have been
     * called); false when nothing changed, or the new content is invalid (logged, the last good policy stays).
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
        NearPolicy next;
        try {
            next = NearPolicy.parse(new String(content, StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            problem(e.getMessage());
            return false;
        }
        NearPolicy old = current;
        if (next.equals(old)) return false; // comments or spacing only
        current = next;
        LOG.info("near policy " + file + ": version " + old.version() + " -> " + next.version() + " (" + changes(old, next) + ")");
        for (Consumer<NearPolicy> l : listeners) {
            try {
                l.accept(next);
            } catch (RuntimeException e) {
                LOG.warning("near policy listener failed: " + e);
            }
        }
        return true;
    }

    private void problem(String why) {
        if (why.equals(lastProblem)) return; // once per problem, not every second
        lastProblem = why;
        LOG.warning("near policy " + file + ": " + why + "; keeping version " + current.version());
    }

    /** "accelerate: .* -> ^x$; fec: (unset) -> off", or "no value changed". */
    static String changes(NearPolicy from, NearPolicy to) {
        StringBuilder sb = new StringBuilder();
        for (NearPolicy.Key k : NearPolicy.Key.values()) {
            String a = from.get(k).orElse(null);
            String b = to.get(k).orElse(null);
            if (java.util.Objects.equals(a, b)) continue;
            if (sb.length() > 0) sb.append("; ");
            sb.append(k).append(": ").append(a == null ? "(unset)" : a).append(" -> ").append(b == null ? "(unset)" : b);
        }
        return sb.length() == 0 ? "no value changed" : sb.toString();
    }

    private static String sha256(byte[] b) {
        try {
            return java.util.HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override public synchronized void close() {
        if (task != null) task.cancel(false);
        if (ownExecutor) executor.shutdownNow();
    }
}
