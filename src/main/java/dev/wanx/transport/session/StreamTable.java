package dev.wanx.transport.session;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A session's streams by id: the ids this end hands out, the peer's ids already seen, and how many are open. Loop
 * only, except {@link #nextLocalId} and the counts (read for stats).
 */
final class StreamTable {
    private final Map<Long, MuxStream> streams = new HashMap<>();
    private final PeerStreamIds peerIds;
    private final long localParity;
    private long nextLocalId;
    private int peerOpen;
    private volatile long open;
    private volatile long total;

    /** @param initiator the near (odd stream ids); the far uses even ids */
    StreamTable(boolean initiator) {
        this.nextLocalId = initiator ? 1 : 2;
        this.localParity = nextLocalId & 1;
        this.peerIds = new PeerStreamIds(initiator ? 2 : 1);
    }

    /** openNow runs on any thread; ids still come from the one counter, taken on the loop's behalf. */
    synchronized long nextLocalId() {
        long id = nextLocalId;
        nextLocalId += 2;
        return id;
    }

    MuxStream get(long id) { return streams.get(id); }

    /** Whether {@code id} is one the peer may open and has not before; it counts as seen from now on. */
    boolean firstSightOfPeerId(long id) {
        boolean peerId = (id & 1) != localParity;
        if (!peerId || id <= 0 || peerIds.seen(id)) return false;
        peerIds.markSeen(id);
        return true;
    }

    void add(MuxStream s) {
        streams.put(s.id, s);
        if (!s.local) peerOpen++;
        open++;
        total++;
    }

    /** False if it was gone already. */
    boolean remove(MuxStream s) {
        if (streams.remove(s.id) == null) return false;
        open--;
        if (!s.local) peerOpen--;
        return true;
    }

    /** Whether a stream this end opened still waits for its OPEN_OK. */
    boolean opensPending() {
        for (MuxStream s : streams.values()) {
            if (s.local && !s.opened.isDone()) return true;
        }
        return false;
    }

    /** A copy, for finishing them all (each leaves the table as it finishes). */
    List<MuxStream> all() { return new ArrayList<>(streams.values()); }

    int peerOpen() { return peerOpen; }

    long open() { return open; }

    long total() { return total; }
}
