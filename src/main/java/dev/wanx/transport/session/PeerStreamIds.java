package dev.wanx.transport.session;

import java.util.HashSet;
import java.util.Set;

/**
 * Remembers which peer-opened stream ids were already seen, in O(gaps) memory: frames may arrive out of order
 * (UDP), so a frame for an unknown id is either a stream not yet seen (create it) or a finished one (ignore).
 */
final class PeerStreamIds {
    private long low;                 // every peer id below this has been seen
    private final Set<Long> seenAbove = new HashSet<>();

    PeerStreamIds(long firstId) { this.low = firstId; }

    boolean seen(long id) { return id < low || seenAbove.contains(id); }

    void markSeen(long id) {
        if (id < low) return;
        seenAbove.add(id);
        while (seenAbove.remove(low)) low += 2;
    }

    int gaps() { return seenAbove.size(); }
}
