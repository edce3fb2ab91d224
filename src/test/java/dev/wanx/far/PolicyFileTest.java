package dev.wanx.far;

import static org.junit.jupiter.api.Assertions.*;

import dev.wanx.config.NearPolicy;
import java.nio.file.Files;
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
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PolicyFileTest {
    @TempDir Path dir;
    Path file;
    /** Wall clock far past the file times: no "racy" re-read, only real changes of time or size count. */
    final AtomicLong now = new AtomicLong();
    final List<String> warnings = new CopyOnWriteArrayList<>();
    final Logger log = Logger.getLogger("wanx.far");
    final Handler capture = new Handler() {
        @Override public void publish(LogRecord r) {
            if (r.getLevel().intValue() >= java.util.logging.Level.WARNING.intValue()) warnings.add(r.getMessage());
        }
        @Override public void flush() { }
        @Override public void close() { }
    };

    @BeforeEach void setUp() throws Exception {
        file = dir.resolve("near-policy.conf");
        write("version = one\naccelerate = ^nothing$\n", 1_000_000);
        log.addHandler(capture);
    }

    @AfterEach void tearDown() { log.removeHandler(capture); }

    /** Writes the file and sets its time (seconds since the epoch), as an editor a while ago would have. */
    void write(String content, long mtimeSeconds) throws Exception {
        Files.writeString(file, content);
        Files.setLastModifiedTime(file, FileTime.from(mtimeSeconds, TimeUnit.SECONDS));
        now.set((mtimeSeconds + 3600) * 1000);
    }

    @Test void aChangeIsDetectedAndListenersGetTheNewPolicy() throws Exception {
        PolicyFile pf = new PolicyFile(file, now::get);
        assertEquals("one", pf.current().version());
        LinkedBlockingQueue<NearPolicy> got = new LinkedBlockingQueue<>();
        pf.addListener(got::add);
        assertFalse(pf.poll(), "nothing changed");
        write("version = two\naccelerate = .*\nfec = off\n", 1_000_010);
        assertTrue(pf.poll());
        NearPolicy p = got.poll();
        assertNotNull(p);
        assertEquals("two", p.version());
        assertEquals(".*", p.get(NearPolicy.Key.ACCELERATE).orElseThrow());
        assertEquals(p, pf.current());
        assertFalse(pf.poll(), "seen once");
        assertNull(got.poll());
    }

    @Test void aCommentOnlyEditChangesNothing() throws Exception {
        PolicyFile pf = new PolicyFile(file, now::get);
        LinkedBlockingQueue<NearPolicy> got = new LinkedBlockingQueue<>();
        pf.addListener(got::add);
        write("# reviewed\nversion = one\naccelerate = ^nothing$\n", 1_000_020);
        assertFalse(pf.poll());
        assertNull(got.poll());
    }

    @Test void anInvalidEditKeepsTheLastGoodPolicyWithOneWarning() throws Exception {
        PolicyFile pf = new PolicyFile(file, now::get);
        LinkedBlockingQueue<NearPolicy> got = new LinkedBlockingQueue<>();
        pf.addListener(got::add);
        write("version = broken\naccelerate = (oops\n", 1_000_010);
        assertFalse(pf.poll());
        assertEquals("one", pf.current().version(), "the last good policy stays");
        assertNull(got.poll());
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).contains("accelerate: '(oops' is not a valid regular expression"), warnings.get(0));
        assertTrue(warnings.get(0).contains("keeping version one"), warnings.get(0));
        write("version = broken\naccelerate = (oops\n", 1_000_011); // touched again, same content: no new warning
        assertFalse(pf.poll());
        assertEquals(1, warnings.size(), warnings.toString());
        // Fixed: taken.
        write("version = three\naccelerate = ^x$\n", 1_000_012);
        assertTrue(pf.poll());
        assertEquals("three", got.poll().version());
    }

    @Test void aDeletedFileKeepsTheLastGoodPolicy() throws Exception {
        PolicyFile pf = new PolicyFile(file, now::get);
        Files.delete(file);
        assertFalse(pf.poll());
        assertEquals("one", pf.current().version());
        assertEquals(1, warnings.size());
        assertFalse(pf.poll());
        assertEquals(1, warnings.size(), "warned once, not at every poll");
    }

    @Test void aSameSizeEditWithinTheTimestampGranularityIsSeen() throws Exception {
        PolicyFile pf = new PolicyFile(file, now::get);
        // Same size, same time (a coarse file system): only the recent time makes the poll read the content.
        String same = "version = uno\naccelerate = ^nothing$\n";
        assertEquals(Files.size(file), same.length());
        Files.writeString(file, same);
        Files.setLastModifiedTime(file, FileTime.from(1_000_000, TimeUnit.SECONDS));
        assertFalse(pf.poll(), "an old time and the same size: not read");
        now.set(1_000_000_500L); // the poll happens within the racy window after the write
        assertTrue(pf.poll());
        assertEquals("uno", pf.current().version());
    }

    @Test void startPollsOnTheGivenExecutor() throws Exception {
        ScheduledExecutorService ex = Executors.newSingleThreadScheduledExecutor();
        try (PolicyFile pf = new PolicyFile(file, now::get)) {
            LinkedBlockingQueue<NearPolicy> got = new LinkedBlockingQueue<>();
            pf.addListener(got::add);
            pf.start(ex, Duration.ofMillis(10));
            write("fec = off\n", 1_000_030);
            NearPolicy p = got.poll(5, TimeUnit.SECONDS);
            assertNotNull(p, "the poller saw the change");
            assertEquals(8, p.version().length(), "derived version");
        } finally {
            ex.shutdownNow();
        }
    }

    @Test void anInvalidFileAtStartIsAnError() throws Exception {
        write("acelerate = .*\n", 1_000_000);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new PolicyFile(file, now::get));
        assertTrue(e.getMessage().startsWith("line 1: unknown key 'acelerate'"), e.getMessage());
    }
}
