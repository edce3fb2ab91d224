package dev.wanx.discovery;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FleetFilesTest {
    @TempDir Path dir;

    @Test void theFarRereadsItsFleetFileAndKeepsTheLastGoodOne() throws Exception {
        Path f = dir.resolve("fleet");
        Files.writeString(f, "# fleet\na.example:7443\n");
        FleetSource s = new FleetSource(List.of(FleetMember.parse("self.example:7443")), f);
        assertEquals(List.of(FleetMember.parse("self.example:7443"), FleetMember.parse("a.example:7443")), s.members());
        assertFalse(s.poll(), "unchanged");

        Files.writeString(f, "a.example:7443\nb.example:7443 # new\n");
        Files.setLastModifiedTime(f, FileTime.fromMillis(System.currentTimeMillis() + 2000));
        assertTrue(s.poll());
        assertEquals(3, s.members().size());

        Files.writeString(f, "b.example:7443\nnot an address\n");
        Files.setLastModifiedTime(f, FileTime.fromMillis(System.currentTimeMillis() + 4000));
        assertFalse(s.poll(), "a bad edit changes nothing");
        assertEquals(3, s.members().size(), "the last good fleet stays");

        Files.writeString(f, "b.example:7443\n");
        Files.setLastModifiedTime(f, FileTime.fromMillis(System.currentTimeMillis() + 6000));
        assertTrue(s.poll());
        assertEquals(List.of(FleetMember.parse("self.example:7443"), FleetMember.parse("b.example:7443")), s.members(), "a.example removed");
    }

    @Test void aSameSizeEditWithinTheSameSecondIsSeen() throws Exception {
        Path f = dir.resolve("fleet");
        Files.writeString(f, "a.example:7443\n");
        FileTime t = FileTime.fromMillis(1_000_000_000L);
        Files.setLastModifiedTime(f, t);
        AtomicLong now = new AtomicLong(t.toMillis() + 3_600_000);
        FleetSource s = new FleetSource(List.of(), f, now::get);
        Files.writeString(f, "b.example:7443\n"); // same size, and the same time on a coarse file system
        Files.setLastModifiedTime(f, t);
        assertFalse(s.poll(), "an old time and the same size: not read");
        now.set(t.toMillis() + 500); // polled within the racy window after the write
        assertTrue(s.poll());
        assertEquals(List.of(FleetMember.parse("b.example:7443")), s.members());
    }

    @Test void listenersHearOfAChangedFleetNotOfAnEditThatLeavesItAsItWas() throws Exception {
        Path f = dir.resolve("fleet");
        Files.writeString(f, "a.example:7443\n");
        FleetSource s = new FleetSource(List.of(FleetMember.parse("self.example:7443")), f, () -> 0L); // every poll in the racy window: reads
        List<List<FleetMember>> heard = new CopyOnWriteArrayList<>();
        s.addListener(heard::add);
        Files.writeString(f, "a.example:7443\nself.example:7443 # already a --fleet member\n");
        assertFalse(s.poll(), "the merged fleet is the same");
        Files.writeString(f, "c.example:7443\n");
        assertTrue(s.poll());
        assertEquals(List.of(List.of(FleetMember.parse("self.example:7443"), FleetMember.parse("c.example:7443"))), heard);
    }

    @Test void withoutAFileTheFleetIsFixed() throws Exception {
        try (FleetSource s = new FleetSource(List.of(FleetMember.parse("self.example:7443")), null)) {
            s.addListener(m -> fail("no file, no change"));
            s.start();
            assertFalse(s.poll());
            assertEquals(List.of(FleetMember.parse("self.example:7443")), s.members());
        }
    }

    @Test void aBadFleetFileAtStartIsAnErrorNamingTheLine() throws Exception {
        Path f = dir.resolve("fleet");
        Files.writeString(f, "a.example:7443\n\nb.example\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new FleetSource(List.of(), f));
        assertTrue(e.getMessage().startsWith("line 3:"), e.getMessage());
    }

    @Test void theNearRemembersTheFleetAcrossRestarts() throws Exception {
        FleetStore s = FleetStore.open(dir);
        assertTrue(s.members().isEmpty());
        List<FleetMember> fleet = List.of(FleetMember.parse("a.example:1"), FleetMember.parse("b.example:2"));
        assertTrue(s.update(fleet, "far:a.example:1"));
        assertFalse(s.update(fleet, "far:a.example:1"), "same fleet: nothing to save");
        assertFalse(s.update(List.of(), "far:x"), "an empty fleet never erases the known one");
        s.close();
        FleetStore again = FleetStore.open(dir);
        assertEquals(fleet, again.members());
        assertTrue(again.source().startsWith("far:a.example:1 at "), again.source());
        again.close();

        FleetStore closing = FleetStore.open(dir);
        closing.close();
        List<FleetMember> later = List.of(FleetMember.parse("c.example:3"));
        assertTrue(closing.update(later, "far:c.example:3"), "an announcement still on an event loop after close");
        assertEquals(later, FleetStore.open(dir).members(), "is saved by its caller (nobody closes twice)");

        Files.writeString(dir.resolve(FleetStore.FILE), "garbage here\n");
        assertTrue(FleetStore.open(dir).members().isEmpty(), "a damaged file is ignored: the seeds still work");
    }

    /**
     * The near closes while an update is under way but members() already shows it (FleetTest restarted its near
     * just then, and the new one never probed the added far). The update's log line is the point to stop it at.
     */
    @Test void aCloseDuringAnUpdateStillSavesIt() throws Exception {
        FleetStore s = FleetStore.open(dir);
        List<FleetMember> fleet = List.of(FleetMember.parse("a.example:1"), FleetMember.parse("d.example:4"));
        AtomicBoolean closedMidUpdate = new AtomicBoolean();
        Handler closeNow = new Handler() {
            @Override public void publish(LogRecord r) {
                if (!String.valueOf(r.getMessage()).startsWith("fleet from") || !s.members().equals(fleet)) return;
                try {
                    CompletableFuture.runAsync(s::close).get(5, TimeUnit.SECONDS); // another thread, as in a near
                    closedMidUpdate.set(true);
                } catch (Exception e) {
                    throw new AssertionError("close blocked by the update", e);
                }
            }

            @Override public void flush() { }

            @Override public void close() { }
        };
        Logger log = Logger.getLogger("wanx.near");
        Level level = log.getLevel();
        log.setLevel(Level.INFO);
        log.addHandler(closeNow);
        try {
            assertTrue(s.update(fleet, "far:a.example:1"));
        } finally {
            log.removeHandler(closeNow);
            log.setLevel(level);
        }
        assertTrue(closedMidUpdate.get(), "the near closed mid-update");
        assertEquals(fleet, FleetStore.open(dir).members(), "on disk once close() returned");
    }
}
