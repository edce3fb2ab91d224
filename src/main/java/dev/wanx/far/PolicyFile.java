package dev.wanx.far;

import dev.wanx.config.NearPolicy;
import dev.wanx.config.WatchedFile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * The far's {@code --near-policy FILE}, kept current by {@link WatchedFile}: a changed policy goes to the listeners
 * (every open session), a bad edit keeps the last good one. This class only says how a policy reads in the log.
 */
public final class PolicyFile extends WatchedFile<NearPolicy> {
    /**
     * Reads the file now; it must hold a valid policy.
     *
     * @param wallClockMs milliseconds since the epoch, as file times count (tests pass their own)
     * @throws IOException when the file cannot be read
     * @throws IllegalArgumentException when its content is invalid (the message names the line or key)
     */
    public PolicyFile(Path file, LongSupplier wallClockMs) throws IOException {
        super(file, "near policy", NearPolicy::parse, wallClockMs);
    }

    public PolicyFile(Path file) throws IOException { this(file, System::currentTimeMillis); }

    @Override protected String describe(NearPolicy p) { return "version " + p.version(); }

    @Override protected String describeChange(NearPolicy old, NearPolicy next) {
        return "version " + old.version() + " -> " + next.version() + " (" + changes(old, next) + ")";
    }

    /** "accelerate: .* -> ^x$; fec: (unset) -> off", or "no value changed". */
    static String changes(NearPolicy from, NearPolicy to) {
        StringBuilder sb = new StringBuilder();
        for (NearPolicy.Key k : NearPolicy.Key.values()) {
            String a = from.get(k).orElse(null);
            String b = to.get(k).orElse(null);
            if (Objects.equals(a, b)) continue;
            if (sb.length() > 0) sb.append("; ");
            sb.append(k).append(": ").append(a == null ? "(unset)" : a).append(" -> ").append(b == null ? "(unset)" : b);
        }
        return sb.length() == 0 ? "no value changed" : sb.toString();
    }
}
