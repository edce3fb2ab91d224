package dev.wanx.reduce;

import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Byte counters for one stream (and, in the service, the running total over all streams). "Warm" bytes crossed
 * as references, "cold" bytes as literals. Atomic so the CLI can read them while streams run.
 */
public final class StreamStats {
    public final AtomicLong appIn = new AtomicLong();      // app bytes we were given to send
    public final AtomicLong wireOut = new AtomicLong();    // bytes of our data records (not control) on the tunnel
    public final AtomicLong warmBytes = new AtomicLong();  // app bytes sent as references
    public final AtomicLong coldBytes = new AtomicLong();  // app bytes sent as literals
    public final AtomicLong wireIn = new AtomicLong();     // all bytes received from the tunnel
    public final AtomicLong appOut = new AtomicLong();     // app bytes delivered to the app side
    public final AtomicLong missesSent = new AtomicLong(); // chunks we had to ask for
    public final AtomicLong chunksServed = new AtomicLong(); // MISSes we answered
    public final AtomicLong controlOut = new AtomicLong(); // bytes of control records we sent
    private volatile Reason reason = Reason.COMPRESSED_ONLY;
    private volatile String why = "";
    private volatile Reason peerReason;
    private volatile String peerWhy;

    void reason(Reason r, String w) {
        reason = r;
        why = w;
    }

    void peerReason(Reason r, String w) {
        peerReason = r;
        peerWhy = w;
    }

    public Reason reason() { return reason; }

    public String why() { return why; }

    /** The reason the other end reported for the direction we receive (null until its END arrives). */
    public Reason peerReason() { return peerReason; }

    public String peerWhy() { return peerWhy; }

    void addTo(StreamStats t) {
        t.appIn.addAndGet(appIn.get());
        t.wireOut.addAndGet(wireOut.get());
        t.warmBytes.addAndGet(warmBytes.get());
        t.coldBytes.addAndGet(coldBytes.get());
        t.wireIn.addAndGet(wireIn.get());
        t.appOut.addAndGet(appOut.get());
        t.missesSent.addAndGet(missesSent.get());
        t.chunksServed.addAndGet(chunksServed.get());
        t.controlOut.addAndGet(controlOut.get());
    }

    /** Wire bytes per app byte sent (data records only). */
    public double ratio() {
        long in = appIn.get();
        return in == 0 ? 0 : (double) wireOut.get() / in;
    }

    @Override public String toString() {
        return String.format(Locale.ROOT,
                "sent: app %d -> wire %d (%.4f; warm %d, cold %d; control %d); received: wire %d -> app %d; misses %d, served %d; %s (%s)",
                appIn.get(), wireOut.get(), ratio(), warmBytes.get(), coldBytes.get(), controlOut.get(), wireIn.get(),
                appOut.get(), missesSent.get(), chunksServed.get(), reason, why);
    }
}
