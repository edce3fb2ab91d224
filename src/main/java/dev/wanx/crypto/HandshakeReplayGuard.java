package dev.wanx.crypto;

import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Refuses replayed first handshake messages. Noise IK's message 1 is accepted by the responder without a round
 * trip, so a recorded copy would make the far end redo the handshake (and reset the peer's session). Like
 * WireGuard's TAI64N check, every initiator puts a timestamp in its message-1 payload that must strictly grow
 * per initiator key; an equal or older one is a replay.
 *
 * <p>Record a timestamp only after message 1 authenticated (the key is then the real initiator's), and only for
 * authorized keys, so strangers cannot fill the table. The table is bounded (least recently used key evicted);
 * an evicted key's replay would pass, so keep {@code maxPeers} above the number of authorized keys. Thread-safe.
 */
public final class HandshakeReplayGuard {
    public static final int DEFAULT_MAX_PEERS = 100_000;

    private final Map<String, Long> latest;

    public HandshakeReplayGuard() {
        this(DEFAULT_MAX_PEERS);
    }

    public HandshakeReplayGuard(int maxPeers) {
        if (maxPeers < 1) throw new IllegalArgumentException("maxPeers must be positive");
        this.latest = new LinkedHashMap<>(16, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
                return size() > maxPeers;
            }
        };
    }

    /**
     * True, and remembered, if {@code timestamp} is newer than any accepted before from {@code peerStatic};
     * false for a replay or an out-of-date message.
     */
    public synchronized boolean accept(byte[] peerStatic, long timestamp) {
        if (peerStatic == null || peerStatic.length != X25519KeyPair.KEY_SIZE) return false;
        String key = Base64.getEncoder().encodeToString(peerStatic);
        Long last = latest.get(key);
        if (last != null && timestamp <= last) return false;
        latest.put(key, timestamp);
        return true;
    }

    public synchronized int size() { return latest.size(); }
}
