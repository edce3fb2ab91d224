package dev.wanx.reduce;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The chunks one stream direction referenced that the receiver has not acknowledged yet, so a MISS can be
 * answered: with their contents in memory up to a byte budget ("hard" pins), beyond it by fingerprint only ("soft"
 * pins, answered from the sender's dictionary). Runs on the stream's executor only.
 */
final class Pins {
    private record Run(long seq, List<Fingerprint> fps) { }

    private final long budget;
    private final Map<Fingerprint, byte[]> hard = new HashMap<>();
    private final ArrayDeque<Run> runs = new ArrayDeque<>(); // REF records not yet acknowledged, oldest first
    private final Map<Fingerprint, Integer> count = new HashMap<>();
    private long hardBytes;

    Pins(long budget) {
        this.budget = budget;
    }

    /** Distinct chunks referenced and not yet acknowledged. */
    int outstanding() {
        return count.size();
    }

    void pin(Fingerprint fp, byte[] data) {
        count.merge(fp, 1, Integer::sum);
        if (!hard.containsKey(fp) && hardBytes + data.length <= budget) {
            hard.put(fp, data);
            hardBytes += data.length;
        }
    }

    /** REF record {@code seq} referenced {@code fps} (each already pinned). */
    void sent(long seq, List<Fingerprint> fps) {
        runs.add(new Run(seq, new ArrayList<>(fps)));
    }

    /** The receiver resolved every REF record up to {@code seq}: unpin their chunks. */
    void acked(long seq) {
        while (!runs.isEmpty() && runs.peek().seq() <= seq) {
            for (Fingerprint fp : runs.poll().fps()) {
                if (count.merge(fp, -1, Integer::sum) <= 0) {
                    count.remove(fp);
                    byte[] d = hard.remove(fp);
                    if (d != null) hardBytes -= d.length;
                }
            }
        }
    }

    boolean referenced(Fingerprint fp) {
        return count.containsKey(fp);
    }

    /** The chunk's bytes if hard-pinned, else null. */
    byte[] contents(Fingerprint fp) {
        return hard.get(fp);
    }

    void clear() {
        hard.clear();
        runs.clear();
        count.clear();
        hardBytes = 0;
    }
}
