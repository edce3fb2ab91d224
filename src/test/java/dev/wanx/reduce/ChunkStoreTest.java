package dev.wanx.reduce;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChunkStoreTest {
    @TempDir Path tmp;

    static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test void survivesRestart() throws Exception {
        byte[] c = random(8000, 1);
        Fingerprint fp = Fingerprint.of(c);
        long peer = ChunkStore.peerKey("p");
        try (ChunkStore s = ChunkStore.open(tmp, 64L << 20)) {
            s.learn(peer, List.of(fp), List.of(c));
            s.lookup(peer, List.of(fp));
        }
        try (ChunkStore s = ChunkStore.open(tmp, 64L << 20)) {
            assertArrayEquals(c, s.get(fp));
            assertTrue(s.peerHas(peer, fp));
            assertTrue(s.stats().hits() >= 2, "counters persist: " + s.stats());
        }
        try (ChunkStore ro = ChunkStore.openReadOnly(tmp)) {
            assertTrue(ro.stats().chunks() >= 1);
            assertArrayEquals(c, ro.get(fp));
        }
    }

    @Test void corruptedEntryIsAMiss() throws Exception {
        byte[] c = random(8000, 2);
        Fingerprint fp = Fingerprint.of(c);
        long peer = ChunkStore.peerKey("p");
        try (ChunkStore s = ChunkStore.open(tmp, 64L << 20)) {
            s.learn(peer, List.of(fp), List.of(c));
            byte[] raw = s.getRaw(fp);
            raw[raw.length - 1] ^= 1; // one flipped bit in the chunk bytes
            s.putRaw(fp, raw);
            assertNull(s.get(fp));
            assertNull(s.lookup(peer, List.of(fp)).get(0));
            assertEquals(2, s.stats().corrupt());
            s.putRaw(fp, new byte[3]); // truncated value
            assertNull(s.get(fp));
        }
    }

    @Test void sizeBoundRespectedUnderMoreDataThanTheBound() throws Exception {
        long bound = 8L << 20;
        long peer = ChunkStore.peerKey("p");
        Random r = new Random(3);
        try (ChunkStore s = ChunkStore.open(tmp, bound)) {
            long max = 0;
            for (int round = 0; round < 40; round++) { // 40 x 1 MiB = 5x the bound
                List<Fingerprint> fps = new ArrayList<>();
                List<byte[]> data = new ArrayList<>();
                for (int i = 0; i < 128; i++) {
                    byte[] c = new byte[8192];
                    r.nextBytes(c);
                    fps.add(Fingerprint.of(c));
                    data.add(c);
                }
                s.learn(peer, fps, data);
                if (round % 4 == 3) s.flush();
                max = Math.max(max, sstBytes(tmp));
            }
            s.flush();
            long onDisk = sstBytes(tmp);
            // FIFO drops whole files, so allow one write buffer of slack over the bound.
            assertTrue(onDisk <= bound + (2L << 20), "on disk " + onDisk + " > bound " + bound);
            assertTrue(max <= bound + (3L << 20), "peak " + max);
            assertTrue(s.stats().chunks() < 40 * 128, "old chunks evicted: " + s.stats());
        }
    }

    @Test void hotChunkSurvivesFifoEvictionByReinsertion() throws Exception {
        long bound = 8L << 20;
        long peer = ChunkStore.peerKey("p");
        byte[] hot = random(8192, 4);
        Fingerprint hfp = Fingerprint.of(hot);
        Random r = new Random(5);
        try (ChunkStore s = ChunkStore.open(tmp, bound)) {
            s.learn(peer, List.of(hfp), List.of(hot));
            for (int round = 0; round < 40; round++) {
                List<Fingerprint> fps = new ArrayList<>();
                List<byte[]> data = new ArrayList<>();
                for (int i = 0; i < 128; i++) {
                    byte[] c = new byte[8192];
                    r.nextBytes(c);
                    fps.add(Fingerprint.of(c));
                    data.add(c);
                }
                s.learn(peer, fps, data);
                s.lookup(peer, List.of(hfp)); // used regularly
                if (round % 4 == 3) s.flush();
            }
            s.flush();
            assertArrayEquals(hot, s.get(hfp));
        }
    }

    @Test void membershipIsPerPeer() throws Exception {
        byte[] c = random(4000, 6);
        Fingerprint fp = Fingerprint.of(c);
        long a = ChunkStore.peerKey("A"), b = ChunkStore.peerKey("B");
        try (ChunkStore s = ChunkStore.open(tmp, 64L << 20)) {
            s.learn(a, List.of(fp), List.of(c));
            assertArrayEquals(new boolean[] {false}, s.prepareSend(b, List.of(fp), List.of(c)));
            assertArrayEquals(new boolean[] {true}, s.prepareSend(a, List.of(fp), List.of(c)));
            // After sending it to B as a literal, B has it too.
            assertArrayEquals(new boolean[] {true}, s.prepareSend(b, List.of(fp), List.of(c)));
        }
    }

    @Test void dictToolPrintsStats() throws Exception {
        byte[] c = random(8000, 7);
        try (ChunkStore s = ChunkStore.open(tmp, 64L << 20)) {
            s.learn(1, List.of(Fingerprint.of(c)), List.of(c));
            s.get(Fingerprint.of(c));
        }
        java.io.ByteArrayOutputStream bo = new java.io.ByteArrayOutputStream();
        assertEquals(0, DictTool.printStats(tmp, new java.io.PrintStream(bo, true)));
        String out = bo.toString();
        assertTrue(out.contains("chunks ~1") && out.contains("hits 1") && out.contains("hit ratio 100.0%"), out);
        assertEquals(2, DictTool.printStats(tmp.resolve("nope"), new java.io.PrintStream(bo, true)));
    }

    static long sstBytes(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(".sst")).mapToLong(p -> p.toFile().length()).sum();
        }
    }
}
