package dev.wanx.transport;

/**
 * A snapshot of one session's counters. rttMicros/lossRate/rateBps are 0 where a carrier does not measure them.
 * Session credit (docs/PROTOCOL.md, "Session credit"), -1 where the session does not use it (a carrier's own stats,
 * or a peer without it): {@code heldBytes} stream bytes received and not yet handed to apps (this end's memory for the
 * peer; near twice the session budget, it says apps that stopped reading hold the session's credit);
 * {@code peerCreditLeft} what the peer may still send before this end's next SESSION_MAX;
 * {@code creditLeft} what this end may still send before the peer's next one.
 */
public record SessionStats(long streamsOpen, long streamsTotal, long bytesSent, long bytesReceived,
                           long wireBytesSent, long wireBytesReceived, long rttMicros, double lossRate, long rateBps,
                           long heldBytes, long peerCreditLeft, long creditLeft) {
    /** A carrier's stats: no session credit. */
    public SessionStats(long streamsOpen, long streamsTotal, long bytesSent, long bytesReceived,
                        long wireBytesSent, long wireBytesReceived, long rttMicros, double lossRate, long rateBps) {
        this(streamsOpen, streamsTotal, bytesSent, bytesReceived, wireBytesSent, wireBytesReceived, rttMicros, lossRate,
                rateBps, -1, -1, -1);
    }
}
