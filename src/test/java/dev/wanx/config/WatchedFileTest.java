package dev.wanx.config;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The generic watcher, with a number per file; PolicyFileTest and FleetFilesTest cover its two users. */
class WatchedFileTest {
    static final long T0 = 1_000_000; // seconds since the epoch: the file's time
    @TempDir Path dir;
    Path file;
    final AtomicLong now = new AtomicLong((T0 + 3600) * 1000); // far past the file time unless a test says otherwise
    final List<String> warnings = new CopyOnWriteArrayList<>();
    final Logger log = Logger.getLogger("wanx.far");
    final Handler capture = new Handler() {
        @Override public void publish(LogRecord r) {
            if (r.getLevel().intValue() >= Level.WARNING.intValue()) warnings.add(r.getMessage());
        }
        @Override public void flush() { }
        @Override public void close() { }
    };

    /** A strict number parser: "boom" throws something other than IllegalArgumentException. */
    static Integer parse(String text) {
        String s = text.strip();
        if (s.equals("boom")) throw new IllegalStateException("parser bug");
        try {
            return Integer.valueOf(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("line 1: '" + s + "' is not a number");
        }
    }

    @BeforeEach void setUp() throws Exception {
        file = dir.resolve("number");
        write("1\n", T0);
        log.addHandler(capture);
    }

    @AfterEach void tearDown() { log.removeHandler(capture); }

    void write(String content, long mtimeSeconds) throws IOException {
        Files.writeString(file, content);
        Files.setLastModifiedTime(file, FileTime.from(mtimeSeconds, TimeUnit.SECONDS));
    }

    WatchedFile<Integer> watch() throws IOException {
        return new WatchedFile<>(file, "test file", WatchedFileTest::parse, now::get);
    }

    @Test void newBytesWithTheSameValueAreNoChange() throws Exception {
        WatchedFile<Integer> w = watch();
        LinkedBlockingQueue<Integer> got = new LinkedBlockingQueue<>();
        w.addListener(got::add);
        write("  1\n\n", T0 + 10);
        assertFalse(w.poll(), "the value is still 1");
        assertNull(got.poll());
        write("2\n", T0 + 20);
        assertTrue(w.poll());
        assertEquals(2, got.poll());
        assertEquals(2, w.current());
    }

    @Test void theRacyWindowEndsTwoSecondsAfterTheFileTime() throws Exception {
        WatchedFile<Integer> w = watch();
        write("3\n", T0); // same size, same time
        now.set(T0 * 1000 + WatchedFile.RACY_MS);
        assertFalse(w.poll(), "outside the window: time and size alone say unchanged");
        now.set(T0 * 1000 + WatchedFile.RACY_MS - 1);
        assertTrue(w.poll(), "inside the window: read, and the hash says changed");
        assertEquals(3, w.current());
    }

    @Test void eachProblemWarnsOnce() throws Exception {
        WatchedFile<Integer> w = watch();
        write("one\n", T0 + 10);
        assertFalse(w.poll());
        write("one\n", T0 + 11); // touched, same content
        assertFalse(w.poll());
        assertEquals(List.of("test file " + file + ": line 1: 'one' is not a number; keeping the last good one"), warnings);
        write("two\n", T0 + 12); // another problem
        assertFalse(w.poll());
        assertEquals(2, warnings.size(), warnings.toString());
        Files.delete(file);
        assertFalse(w.poll());
        assertFalse(w.poll());
        assertEquals(3, warnings.size(), warnings.toString());
        assertTrue(warnings.get(2).contains("cannot read it"), warnings.get(2));
        write("4\n", T0 + 13);
        assertTrue(w.poll());
        assertEquals(4, w.current());
        assertEquals(3, warnings.size(), warnings.toString());
    }

    @Test void aFailingListenerDoesNotStopTheOthers() throws Exception {
        WatchedFile<Integer> w = watch();
        LinkedBlockingQueue<Integer> got = new LinkedBlockingQueue<>();
        w.addListener(v -> { throw new IllegalStateException("listener bug"); });
        w.addListener(got::add);
        write("5\n", T0 + 10);
        assertTrue(w.poll());
        assertEquals(5, got.poll());
        assertTrue(warnings.get(0).contains("listener bug"), warnings.toString());
    }

    @Test void pollingGoesOnAfterAnUnexpectedException() throws Exception {
        ScheduledExecutorService ex = Executors.newSingleThreadScheduledExecutor();
        try (WatchedFile<Integer> w = watch()) {
            LinkedBlockingQueue<Integer> got = new LinkedBlockingQueue<>();
            w.addListener(got::add);
            w.start(ex, Duration.ofMillis(10));
            assertThrows(IllegalStateException.class, () -> w.start(ex, Duration.ofMillis(10)));
            write("boom\n", T0 + 10);
            await(() -> warnings.stream().anyMatch(m -> m.contains("parser bug")));
            write("6\n", T0 + 20);
            assertEquals(6, got.poll(5, TimeUnit.SECONDS), "still polling");
        } finally {
            ex.shutdownNow();
        }
    }

    @Test void startRunsOnADaemonThreadOfItsOwnThatCloseEnds() throws Exception {
        WatchedFile<Integer> w = watch();
        w.start();
        Thread t = Thread.getAllStackTraces().keySet().stream().filter(x -> x.getName().equals("wanx-test-file")).findFirst().orElseThrow();
        assertTrue(t.isDaemon());
        w.close();
        t.join(5_000);
        assertFalse(t.isAlive());
    }

    @Test void aBadFileAtStartIsAnError() throws Exception {
        write("x\n", T0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, this::watch);
        assertEquals("line 1: 'x' is not a number", e.getMessage());
        Files.delete(file);
        assertThrows(NoSuchFileException.class, this::watch);
    }

    static void await(java.util.function.BooleanSupplier c) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!c.getAsBoolean()) {
            assertTrue(System.nanoTime() < end, "timed out");
            Thread.sleep(10);
        }
    }
}
