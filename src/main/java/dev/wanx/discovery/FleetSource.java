package dev.wanx.discovery;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.logging.Logger;

/**
 * The far's view of its fleet: members from {@code --fleet} plus those in {@code --fleet-file}, which is
 * re-read when it changes ({@link #reloadIfChanged}, called by a timer off the event loops), so a far added to
 * or removed from the file is announced to the very next near session, with no restart. A file that does not
 * parse keeps the last good fleet (and says why in the log).
 */
public final class FleetSource {
    private static final Logger LOG = Logger.getLogger("wanx.far");

    private final List<FleetMember> fixed;
    private final Path file;
    private FileTime seenTime;
    private long seenSize = -1;
    private volatile List<FleetMember> members;

    public FleetSource(List<FleetMember> fixed, Path file) throws IOException {
        this.fixed = List.copyOf(fixed);
        this.file = file;
        this.members = this.fixed;
        if (file != null) {
            members = merge(read(file)); // at start a bad file is an error (exit), later only a warning
            remember();
        }
    }

    /** The fleet now (empty: no fleet configured). */
    public List<FleetMember> members() { return members; }

    /** Re-reads the file when its time or size changed; true when the fleet changed. Blocking I/O: not on a loop. */
    public boolean reloadIfChanged() {
        if (file == null) return false;
        try {
            if (Files.getLastModifiedTime(file).equals(seenTime) && Files.size(file) == seenSize) return false;
            remember();
            List<FleetMember> next = merge(read(file));
            if (next.equals(members)) return false;
            members = next;
            LOG.info("fleet file " + file + " re-read: " + next.size() + " far(s)");
            return true;
        } catch (IOException | IllegalArgumentException e) {
            LOG.warning("fleet file " + file + ": " + e.getMessage() + "; keeping the last good fleet (" + members.size() + " far(s))");
            return false;
        }
    }

    private void remember() throws IOException {
        seenTime = Files.getLastModifiedTime(file);
        seenSize = Files.size(file);
    }

    private List<FleetMember> merge(List<FleetMember> fromFile) {
        LinkedHashSet<FleetMember> all = new LinkedHashSet<>(fixed);
        all.addAll(fromFile);
        return List.copyOf(all);
    }

    /** One member per line, {@code #} comments; errors name the line. */
    public static List<FleetMember> read(Path file) throws IOException {
        List<FleetMember> out = new ArrayList<>();
        int n = 0;
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            n++;
            int hash = line.indexOf('#');
            String l = (hash >= 0 ? line.substring(0, hash) : line).strip();
            if (l.isEmpty()) continue;
            try {
                out.add(FleetMember.parse(l));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("line " + n + ": " + e.getMessage());
            }
        }
        return out;
    }
}
