package dev.wanx.discovery;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * The near's memory of the fleet its fars announced, in {@code STATE/fleet} (one {@code HOST:PORT [KEY]} per
 * line), so that after a restart the near probes the fleet and not only its --peer seeds. The file is written
 * off the caller's thread (announcements arrive on event loops; once closing, by the caller), latest version wins,
 * atomically replaced.
 */
public final class FleetStore implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger("wanx.near");
    public static final String FILE = "fleet";

    private final Path file;
    private final ExecutorService writer;
    private volatile List<FleetMember> members;
    private volatile String source;
    /** An update not yet on disk. */
    private volatile boolean dirty;
    /** Orders updates against close: an update is queued before the writer stops, or its caller writes it. */
    private final Object lock = new Object();
    private boolean closed; // guarded by lock

    private FleetStore(Path file, List<FleetMember> members, String source) {
        this.file = file;
        this.members = List.copyOf(members);
        this.source = source;
        this.writer = file == null ? null : Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "wanx-fleet-store");
            t.setDaemon(true);
            return t;
        });
    }

    /** In memory only (no state folder). */
    public static FleetStore inMemory() { return new FleetStore(null, List.of(), "none"); }

    /** Reads {@code stateDir/fleet} if there is one; a damaged file is logged and ignored (the seeds still work). */
    public static FleetStore open(Path stateDir) {
        if (stateDir == null) return inMemory();
        Path f = stateDir.resolve(FILE);
        try {
            String text = Files.readString(f, StandardCharsets.UTF_8);
            String source = text.lines().map(String::strip).filter(l -> l.startsWith("# from "))
                    .map(l -> l.substring("# from ".length())).findFirst().orElse("none");
            return new FleetStore(f, FleetSource.parse(text), source);
        } catch (NoSuchFileException e) {
            return new FleetStore(f, List.of(), "none");
        } catch (IOException | IllegalArgumentException e) {
            LOG.warning("ignoring the remembered fleet in " + f + ": " + e.getMessage());
            return new FleetStore(f, List.of(), "none");
        }
    }

    /** The fleet last announced (empty when none is known). */
    public List<FleetMember> members() { return members; }

    /** Which far announced it, and when (for status). */
    public String source() { return source; }

    /** Takes the fleet a far announced; true (and saved) when it differs from the one known. */
    public boolean update(List<FleetMember> fleet, String from) {
        List<FleetMember> before;
        boolean writeHere;
        synchronized (lock) {
            if (fleet == null || fleet.isEmpty() || fleet.equals(members)) return false;
            before = members;
            members = List.copyOf(fleet);
            source = from + " at " + java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
            dirty = true;
            writeHere = closed;
            if (writer != null && !closed) writer.execute(this::save);
        }
        List<FleetMember> added = new ArrayList<>(fleet);
        added.removeAll(before);
        List<FleetMember> removed = new ArrayList<>(before);
        removed.removeAll(fleet);
        LOG.info("fleet from " + from + ": " + fleet.size() + " far(s)" + (added.isEmpty() ? "" : ", added " + added)
                + (removed.isEmpty() ? "" : ", removed " + removed));
        if (writeHere) save(); // the near is closing (an announcement still on an event loop): close() may be past its save
        return true;
    }

    private synchronized void save() {
        if (!dirty) return;
        dirty = false;
        List<FleetMember> m = members;
        StringBuilder sb = new StringBuilder("# the fleet as its fars announced it; rewritten by wanx near\n# from " + source + "\n");
        for (FleetMember x : m) sb.append(x).append('\n');
        try {
            Files.createDirectories(file.getParent());
            Path tmp = file.resolveSibling(FILE + ".tmp");
            Files.writeString(tmp, sb, StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            LOG.warning("cannot save the fleet to " + file + ": " + e.getMessage());
        }
    }

    /** Waits for a pending save; an update after this saves itself. */
    @Override public void close() {
        if (writer == null) return;
        synchronized (lock) {
            closed = true;
            writer.shutdown(); // runs every save queued before
        }
        try {
            writer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        save(); // in case the wait was cut short
    }
}
