package dev.wanx.discovery;

import dev.wanx.config.WatchedFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * The far's view of its fleet: members from {@code --fleet} plus those in {@code --fleet-file}, which is
 * re-read when it changes (a {@link WatchedFile}, polled off the event loops), so a far added to or removed from
 * the file is announced to the open sessions and the very next near session, with no restart. A file that does
 * not parse keeps the last good fleet (and says why in the log).
 */
public final class FleetSource implements AutoCloseable {
    private final List<FleetMember> fixed;
    private final WatchedFile<List<FleetMember>> file; // null: no --fleet-file

    /** At start a bad file is an error (IllegalArgumentException naming the line), later only a warning. */
    public FleetSource(List<FleetMember> fixed, Path file) throws IOException { this(fixed, file, System::currentTimeMillis); }

    /** @param wallClockMs milliseconds since the epoch, as file times count (tests pass their own) */
    public FleetSource(List<FleetMember> fixed, Path file, LongSupplier wallClockMs) throws IOException {
        this.fixed = List.copyOf(fixed);
        // The watched value is the merged fleet: an edit that changes nothing in it is no change.
        this.file = file == null ? null : new WatchedFile<>(file, "fleet file", text -> merge(this.fixed, parse(text)), wallClockMs) {
            @Override protected String describe(List<FleetMember> m) { return "the last good fleet (" + m.size() + " far(s))"; }
            @Override protected String describeChange(List<FleetMember> old, List<FleetMember> next) {
                return "re-read, " + next.size() + " far(s)";
            }
        };
    }

    /** The fleet now (empty: no fleet configured). */
    public List<FleetMember> members() { return file == null ? fixed : file.current(); }

    /** Looks at the file once; true when the fleet changed (the listeners have been called). Blocking I/O: not on a loop. */
    public boolean poll() { return file != null && file.poll(); }

    /** Called with each new fleet, on the polling thread. */
    public void addListener(Consumer<List<FleetMember>> l) {
        if (file != null) file.addListener(l);
    }

    /** Polls the file every second on a daemon thread of its own (nothing to do without a file). */
    public void start() {
        if (file != null) file.start();
    }

    @Override public void close() {
        if (file != null) file.close();
    }

    private static List<FleetMember> merge(List<FleetMember> fixed, List<FleetMember> fromFile) {
        LinkedHashSet<FleetMember> all = new LinkedHashSet<>(fixed);
        all.addAll(fromFile);
        return List.copyOf(all);
    }

    /** Reads a fleet file (the far's start-up check). */
    public static List<FleetMember> read(Path file) throws IOException { return parse(Files.readString(file)); }

    /** One member per line, {@code #} comments; errors name the line. */
    public static List<FleetMember> parse(String text) { return parseLines(text, FleetMember::parse); }

    /**
     * The line format shared by fleet files, the near's remembered fleet and {@code --peer} files: one entry per line,
     * {@code #} starts a comment, blank lines are skipped. An entry {@code line} rejects (IllegalArgumentException) is
     * reported as "line N: why".
     */
    public static <T> List<T> parseLines(String text, Function<String, T> line) {
        List<T> out = new ArrayList<>();
        int n = 0;
        for (String raw : text.lines().toList()) {
            n++;
            int hash = raw.indexOf('#');
            String l = (hash >= 0 ? raw.substring(0, hash) : raw).strip();
            if (l.isEmpty()) continue;
            try {
                out.add(line.apply(l));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("line " + n + ": " + e.getMessage());
            }
        }
        return out;
    }
}
