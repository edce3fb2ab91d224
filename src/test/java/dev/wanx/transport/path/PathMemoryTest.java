package dev.wanx.transport.path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PathMemoryTest {
    @TempDir
    Path dir;

    final AtomicLong clock = new AtomicLong(1_000_000);
    final PathRecord rec = new PathRecord(12_500_000, 100_000_000L, 0.01, 1_000_000);

    @Test
    void aRestartKeepsTheHistory() throws Exception {
        try (RocksPathMemory m = RocksPathMemory.open(dir, 3_600_000, clock::get)) {
            assertNull(m.lookup("ctx"));
            m.remember("ctx", rec);
            assertEquals(rec, m.lookup("ctx"));
        }
        try (RocksPathMemory m = RocksPathMemory.open(dir, 3_600_000, clock::get)) {
            assertEquals(rec, m.lookup("ctx"), "written through to disk and read back at open");
            assertNull(m.lookup("other"));
        }
    }

    @Test
    void staleRecordsCountAsUnknown() throws Exception {
        try (RocksPathMemory m = RocksPathMemory.open(dir, 3_600_000, clock::get)) {
            m.remember("ctx", rec);
            clock.addAndGet(3_600_001);
            assertNull(m.lookup("ctx"));
        }
    }

    @Test
    void unreadableRecordsAreIgnored() {
        assertNull(PathRecord.decode(new byte[] {9, 9}));
        byte[] b = rec.encode();
        b[0] = 2; // another version
        assertNull(PathRecord.decode(b));
        assertEquals(rec, PathRecord.decode(rec.encode()));
    }

    @Test
    void aLockedOrMissingStateMeansNoHistoryNotAFailure() throws Exception {
        assertSame(PathMemory.NONE, RocksPathMemory.openOrNone(null, true));
        assertSame(PathMemory.NONE, RocksPathMemory.openOrNone(dir, false));
        PathMemory first = RocksPathMemory.openOrNone(dir, true);
        try {
            assertTrue(first instanceof RocksPathMemory);
            assertSame(PathMemory.NONE, RocksPathMemory.openOrNone(dir, true), "the same folder held by another process/instance");
        } finally {
            RocksPathMemory.closeQuietly(first);
        }
    }

    @Test
    void contextsSeparateFarsAndPrefixes() throws Exception {
        byte[] k1 = new byte[32];
        byte[] k2 = new byte[32];
        k2[0] = 1;
        InetSocketAddress far = new InetSocketAddress(InetAddress.getLoopbackAddress(), 7443);
        assertEquals(PathContext.of(k1, far), PathContext.of(k1, far));
        assertNotEquals(PathContext.of(k1, far), PathContext.of(k2, far));
        assertEquals("10.1.2.0/24", PathContext.prefix(InetAddress.getByName("10.1.2.3")));
        assertEquals("2001:0db8:0001:0002::/64", PathContext.prefix(InetAddress.getByName("2001:db8:1:2::5")));
        assertNotEquals(PathContext.ofPeer(k1, new InetSocketAddress("10.1.2.3", 5)), PathContext.ofPeer(k1, new InetSocketAddress("10.1.3.3", 5)));
    }
}
