package dev.wanx.transport.udp;

/**
 * A bounded set of non-negative longs kept as inclusive ranges, ascending. Used for received packet
 * numbers (ACK ranges, duplicate detection) and delivered frame ids (exactly-once delivery). When more
 * than {@code maxRanges} would be needed, the lowest range is folded into a floor: every value at or
 * below the floor counts as present. For packet numbers that is a replay window; for frame ids the floor
 * only ever covers ids already delivered.
 */
public final class RangeSet {
    private final long[] starts;
    private final long[] ends;
    private int count;
    private long floor = -1;

    public RangeSet(int maxRanges) {
        starts = new long[maxRanges];
        ends = new long[maxRanges];
    }

    public boolean contains(long v) {
        if (v <= floor) {
            return true;
        }
        for (int i = count - 1; i >= 0; i--) { // new values are usually near the top
            if (v > ends[i]) {
                return false;
            }
            if (v >= starts[i]) {
                return true;
            }
        }
        return false;
    }

    /** Adds v; returns false if it was already present (or below the floor). */
    public boolean add(long v) {
        if (v <= floor) {
            return false;
        }
        int i = count - 1;
        while (i >= 0 && starts[i] > v) {
            i--;
        }
        // now ranges[0..i] start <= v, ranges[i+1..] start > v
        if (i >= 0 && v <= ends[i]) {
            return false;
        }
        boolean joinsLow = i >= 0 && ends[i] == v - 1;
        boolean joinsHigh = i + 1 < count && starts[i + 1] == v + 1;
        if (joinsLow && joinsHigh) {
            ends[i] = ends[i + 1];
            remove(i + 1);
        } else if (joinsLow) {
            ends[i] = v;
        } else if (joinsHigh) {
            starts[i + 1] = v;
        } else {
            if (count == starts.length) {
                if (i < 0) { // lower than everything kept and no room: too old, treat as seen
                    return false;
                }
                floor = ends[0];
                remove(0);
                i--;
            }
            System.arraycopy(starts, i + 1, starts, i + 2, count - i - 1);
            System.arraycopy(ends, i + 1, ends, i + 2, count - i - 1);
            starts[i + 1] = v;
            ends[i + 1] = v;
            count++;
        }
        if (count > 0 && starts[0] == floor + 1) { // keep the floor contiguous with the lowest range
            floor = ends[0];
            remove(0);
        }
        return true;
    }

    private void remove(int i) {
        System.arraycopy(starts, i + 1, starts, i, count - i - 1);
        System.arraycopy(ends, i + 1, ends, i, count - i - 1);
        count--;
    }

    public int rangeCount() { return count; }

    public long floor() { return floor; }

    /** Largest value present, or -1. */
    public long max() { return count > 0 ? ends[count - 1] : floor; }

    public boolean hasRoom(int ranges) { return starts.length - count >= ranges; }

    /**
     * Copies up to {@code max} ranges, highest first, into the arrays (the floor counts as a range [0, floor]).
     * Returns how many were copied.
     */
    public int copyDescending(long[] outStarts, long[] outEnds, int max) {
        int n = 0;
        for (int i = count - 1; i >= 0 && n < max; i--, n++) {
            outStarts[n] = starts[i];
            outEnds[n] = ends[i];
        }
        if (n < max && floor >= 0) {
            outStarts[n] = 0;
            outEnds[n] = floor;
            n++;
        }
        return n;
    }
}
