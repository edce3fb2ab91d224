package dev.wanx.config;

import dev.wanx.config.NearPolicy.Key;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Logger;
import java.util.regex.Pattern;

/**
 * The near's policy in force, key by key: a value the user set locally (command line, environment, conf file) always
 * wins; else the value the far pushed; else the near's built-in default. Thread-safe: the router reads a
 * {@link Snapshot} for every new connection from any event loop; a far's push replaces it (from the session's loop).
 */
public final class EffectivePolicy {
    private static final Logger LOG = Logger.getLogger("wanx.near");

    public static final String DEFAULT = "default";
    public static final String COMMAND_LINE = "command line";
    public static final String ENVIRONMENT = "environment";
    public static final String CONF_FILE = "conf file";
    /** How an unset accelerate (every destination) is shown. */
    public static final String EVERYTHING = "(everything)";

    /** One line of a status view. */
    public record Entry(String key, String value, String source) { }

    /**
     * The values in force at one moment, consistent with each other.
     *
     * @param accelerate       destinations that use the tunnel; null = all
     * @param reduce           new tunneled streams are marked for data reduction
     * @param failForwardAfter how long a new connection waits for the tunnel before going direct
     * @param fecAllowed       the UDP carrier may send FEC parity
     */
    public record Snapshot(Pattern accelerate, boolean reduce, Duration failForwardAfter, boolean fecAllowed) { }

    private record State(Snapshot values, List<Entry> entries, NearPolicy pushed, String pushedBy) { }

    private final EnumMap<Key, String> local = new EnumMap<>(Key.class);       // the near's own values, normalized text
    private final EnumMap<Key, String> explicit = new EnumMap<>(Key.class);    // where the user set them; absent: default
    private final boolean reductionAvailable;
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
    private volatile State state;

    /**
     * @param accelerate       the near's own accelerate (null = everything)
     * @param reduce           whether the near reduces new streams; false also means no dictionary is open, so a far
     *                         cannot turn reduction on
     * @param failForwardAfter the near's own fail-forward delay
     * @param fec              whether the near's UDP carrier may send parity
     * @param explicitSources  keys the user set ("accelerate", "reduce", ...) with where from ({@link #COMMAND_LINE},
     *                         {@link #ENVIRONMENT}, {@link #CONF_FILE}); the other values are defaults a far may change
     */
    public EffectivePolicy(Pattern accelerate, boolean reduce, Duration failForwardAfter, boolean fec,
                           Map<String, String> explicitSources) {
        if (accelerate != null) local.put(Key.ACCELERATE, accelerate.pattern());
        local.put(Key.REDUCE, reduce ? "on" : "off");
        local.put(Key.FAIL_FORWARD_AFTER, Durations.format(failForwardAfter.toMillis()));
        local.put(Key.FEC, fec ? "auto" : "off");
        this.reductionAvailable = reduce;
        for (Map.Entry<String, String> e : explicitSources.entrySet()) {
            Key k = Key.byName(e.getKey());
            if (k == null) throw new IllegalArgumentException("not a policy key: " + e.getKey());
            explicit.put(k, Objects.requireNonNull(e.getValue()));
        }
        this.state = resolve(null, null);
    }

    /** Fixed values, nothing explicit (a far's push applies to all of them). */
    public static EffectivePolicy defaults(Pattern accelerate, boolean reduce, Duration failForwardAfter) {
        return new EffectivePolicy(accelerate, reduce, failForwardAfter, true, Map.of());
    }

    public Snapshot snapshot() { return state.values(); }

    /** Destinations that use the tunnel; null = all. */
    public Pattern accelerate() { return snapshot().accelerate(); }

    public boolean reduce() { return snapshot().reduce(); }

    public Duration failForwardAfter() { return snapshot().failForwardAfter(); }

    public boolean fecAllowed() { return snapshot().fecAllowed(); }

    /** Key, value and where the value comes from, for every key, in key order. */
    public List<Entry> entries() { return state.entries(); }

    /** The far's last policy, or null before any. */
    public NearPolicy pushed() { return state.pushed(); }

    /** Called after each push that changed a value in force (on the pushing thread). */
    public void addListener(Runnable l) { listeners.add(l); }

    /**
     * Takes a far's policy: its keys replace earlier pushed values (keys it does not set fall back to the defaults).
     * Logs one INFO line with the version and what changed in force, and a warning for what cannot apply.
     *
     * @param farName the pushing far as the near names it (its address)
     * @return the change in force, e.g. "accelerate: (everything) -> ^x$", or "" when no value in force changed
     */
    public String applyPushed(NearPolicy policy, String farName) {
        State before;
        State after;
        synchronized (this) {
            before = state;
            after = resolve(policy, farName);
            state = after;
        }
        StringBuilder changed = new StringBuilder();
        List<String> overridden = new ArrayList<>();
        for (int i = 0; i < before.entries().size(); i++) {
            Entry a = before.entries().get(i);
            Entry b = after.entries().get(i);
            Key k = Key.byName(b.key());
            if (!a.value().equals(b.value())) {
                if (changed.length() > 0) changed.append("; ");
                changed.append(b.key()).append(": ").append(a.value()).append(" -> ").append(b.value());
            }
            if (explicit.containsKey(k) && policy.isSet(k) && !policy.get(k).get().equals(local.get(k))) {
                overridden.add(b.key() + " (" + explicit.get(k) + ")");
            }
        }
        boolean sameVersion = before.pushed() != null && before.pushed().version().equals(policy.version());
        String line = "near policy from far " + farName + ", version " + policy.version() + " applied: "
                + (changed.length() == 0 ? "no change in force" : changed)
                + (overridden.isEmpty() ? "" : "; kept local " + String.join(", ", overridden));
        if (changed.length() == 0 && sameVersion) LOG.fine(line); // the same policy again, e.g. on reconnect
        else LOG.info(line);
        if (!explicit.containsKey(Key.REDUCE) && reductionRefused(policy)) {
            LOG.warning("far " + farName + " asks for reduce = on, but this near has no dictionary open (started with "
                    + "--no-reduce): new streams stay unreduced until the near restarts with reduction");
        }
        if (changed.length() > 0) {
            for (Runnable l : listeners) {
                try {
                    l.run();
                } catch (RuntimeException e) {
                    LOG.warning("policy listener failed: " + e);
                }
            }
        }
        return changed.toString();
    }

    private boolean reductionRefused(NearPolicy p) {
        return p != null && !reductionAvailable && p.reduce().orElse(false);
    }

    private State resolve(NearPolicy pushed, String farName) {
        String pushedSource = pushed == null ? null : "far " + farName + ", version " + pushed.version();
        EnumMap<Key, String> value = new EnumMap<>(Key.class);
        List<Entry> entries = new ArrayList<>();
        for (Key k : Key.values()) {
            String own = local.get(k);
            String p = pushed == null ? null : pushed.get(k).orElse(null);
            String v;
            String source;
            if (explicit.containsKey(k)) {
                v = own;
                source = explicit.get(k) + (p != null && !p.equals(own) ? " (overrides " + pushedSource + ": " + p + ")" : "");
            } else if (p != null && k == Key.REDUCE && p.equals("on") && !reductionAvailable) {
                v = own;
                source = DEFAULT + " (" + pushedSource + " asks for on, but no dictionary is open: started with --no-reduce)";
            } else if (p != null) {
                v = p;
                source = pushedSource;
            } else {
                v = own;
                source = DEFAULT;
            }
            if (v != null) value.put(k, v);
            entries.add(new Entry(k.text, v == null ? EVERYTHING : v, source));
        }
        String acc = value.get(Key.ACCELERATE);
        Snapshot s = new Snapshot(acc == null ? null : Pattern.compile(acc), "on".equals(value.get(Key.REDUCE)),
                Durations.parse(value.get(Key.FAIL_FORWARD_AFTER)), "auto".equals(value.get(Key.FEC)));
        return new State(s, List.copyOf(entries), pushed, farName);
    }
}
