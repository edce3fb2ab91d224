package dev.wanx.transport.udp;

/**
 * Packetization-layer path-MTU discovery (RFC 8899, the search only): a connection starts at the base payload that
 * fits any path (1200) and sends padded PING probes of larger sizes, one at a time, with the DF bit set (the socket
 * never fragments, see {@code DatagramInbound}). An acknowledged probe raises the payload; {@link #MAX_PROBES} lost
 * probes of one size lower the ceiling, and the search halves the gap until it is under {@link #RESOLUTION} bytes.
 * Most paths carry 1500-byte frames, so the first probe, at the largest size, usually ends the search in one round
 * trip. A search that hit a ceiling below the largest size tries again after {@link #RAISE_NS} (the path may have
 * changed). A black hole (probe timeouts in a row while above the base) or a new path (migration) starts over from
 * the base. Probes never count as congestion: the caller keeps their loss away from the controller.
 * State machine only: every input carries {@code nowNs}.
 */
public final class PathMtu {
    /** Lost probes of one size before it is taken as too large. */
    static final int MAX_PROBES = 3;
    /** The search stops when the untested gap is this small. */
    static final int RESOLUTION = 16;
    /** RFC 8899's PMTU_RAISE_TIMER: look again for a larger size this long after a search stopped below the largest. */
    static final long RAISE_NS = 600_000_000_000L;
    /** After a black hole or a new path: wait this long before probing (the path may still be settling). */
    static final long RESTART_DELAY_NS = 1_000_000_000L;

    private final int base;
    private final int largest;
    private int current;      // largest payload validated by an acked probe (what the search works from)
    private int ceiling;      // largest size not yet shown too large
    private int probeSize;    // size of the probe in flight, 0 if none
    private long probePn = -1;
    private int lostAtSize;   // lost probes of the size under test
    private int testing;      // the size under test (probeSize while one is in flight)
    private long nextProbeNs;
    private boolean tryLargest = true; // first the largest: one probe settles most paths
    private boolean raisePending;
    private int probesSent;

    public PathMtu(int base, int largest, long nowNs) {
        this.base = base;
        this.largest = Math.max(base, largest);
        this.current = base;
        this.ceiling = this.largest;
        this.nextProbeNs = nowNs;
    }

    /**
     * Payload for new packets and frames: the validated size, less room for a REPAIR below the largest. A REPAIR is
     * {@link Fec#REPAIR_FIXED} bytes longer than its group's longest datagram; at the largest payload the configured
     * size leaves that room on a 1500-byte path, but on a path found narrower (a VPN, PPPoE) packets at the
     * validated size made every REPAIR of a full group too large for it, so parity never arrived there.
     */
    public int current() {
        return current >= largest || current <= base ? current : Math.max(base, current - Fec.REPAIR_FIXED);
    }

    public int base() { return base; }

    public int probesSent() { return probesSent; }

    /** Whether the search is over for now (nothing left to test until the raise timer). */
    boolean searching() { return ceiling - current >= RESOLUTION; }

    /** The probe size to send now, or 0: none due, one in flight, or nothing left to search. */
    public int probeDue(long nowNs) {
        if (probeSize != 0 || nowNs < nextProbeNs) return 0;
        if (raisePending) { // the raise timer ran out: look upward again
            raisePending = false;
            ceiling = largest;
            lostAtSize = 0;
            testing = 0;
            tryLargest = true;
        }
        if (!searching()) {
            if (ceiling < largest) { // stopped below the largest: the path may grow, look again after the raise timer
                nextProbeNs = nowNs + RAISE_NS;
                raisePending = true;
            }
            return 0;
        }
        if (testing == 0 || testing <= current || testing > ceiling) {
            testing = tryLargest ? ceiling : (current + ceiling + 1) / 2; // then halve the gap
        }
        return testing;
    }

    /** A probe of {@code size} went out in packet {@code pn}. */
    public void onProbeSent(long pn, int size) {
        probeSize = size;
        probePn = pn;
        probesSent++;
    }

    /** True if packet {@code pn} is the probe in flight. */
    public boolean isProbe(long pn) { return probeSize != 0 && pn == probePn; }

    /** The probe was acknowledged: the path carries its size. */
    public void onProbeAcked(long pn) {
        if (!isProbe(pn)) return;
        current = Math.max(current, probeSize);
        probeSize = 0;
        lostAtSize = 0;
        testing = 0;
    }

    /**
     * The probe was declared lost (never a congestion signal). {@code alone}: no other packet was lost around it, so
     * its size is the likely reason; a probe lost among others (a queue overflowing) is tried again without counting.
     */
    public void onProbeLost(long pn, long nowNs, boolean alone) {
        if (!isProbe(pn)) return;
        probeSize = 0;
        if (alone && ++lostAtSize >= MAX_PROBES) {
            ceiling = testing - 1;
            lostAtSize = 0;
            testing = 0;
            tryLargest = false;
        }
        nextProbeNs = nowNs; // the next probe may go at once (loss detection already waited)
    }

    /**
     * Back to the base and search again later: the path changed (migration) or packets of the current size stopped
     * getting through (probe timeouts in a row while above the base).
     */
    public void restart(long nowNs) {
        current = base;
        ceiling = largest;
        probeSize = 0;
        probePn = -1;
        lostAtSize = 0;
        testing = 0;
        tryLargest = true;
        raisePending = false;
        nextProbeNs = nowNs + RESTART_DELAY_NS;
    }

    @Override
    public String toString() {
        return "pmtu " + current() + (searching() ? " (searching to " + ceiling + ")" : "");
    }
}
