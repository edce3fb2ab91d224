package dev.wanx.near;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The last probe result per far address, for `wanx status`. Bounded: one entry per address probed. */
public final class ProbeLog {
    private static final int MAX = 256;

    /**
     * @param far     the far as probed (HOST:PORT, and the address it resolved to when that differs)
     * @param atMillis when the answer (or failure) came
     * @param rttMs   the probe's round trip, -1 when it failed
     * @param loadPercent announced load, -1 when none
     * @param configVersion announced config version ("" when none)
     * @param outcome "chosen", "answered", or why it failed
     */
    public record Result(String far, long atMillis, long rttMs, int loadPercent, String configVersion, String outcome) { }

    private final Map<String, Result> results = new ConcurrentHashMap<>();

    void record(Result r) {
        if (results.size() >= MAX && !results.containsKey(r.far())) return;
        results.put(r.far(), r);
    }

    void outcome(String far, String outcome) {
        results.computeIfPresent(far, (k, r) -> new Result(r.far(), r.atMillis(), r.rttMs(), r.loadPercent(), r.configVersion(), outcome));
    }

    /** Sorted by address. */
    public List<Result> results() {
        List<Result> out = new ArrayList<>(results.values());
        out.sort(java.util.Comparator.comparing(Result::far));
        return out;
    }
}
