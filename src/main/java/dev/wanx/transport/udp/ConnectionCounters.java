package dev.wanx.transport.udp;

/** Plain counters of one connection, read on its event loop (or racily for display). */
public final class ConnectionCounters {
    public long packetsSent;
    public long packetsReceived;
    public long wireBytesSent;
    public long wireBytesReceived;
    public long frameBytesSent;
    public long frameBytesReceived;
    public long framesRetransmitted;
    public long packetsLost;
    /** Of packetsLost: lost while the RTT showed a standing queue (congestion: the rate model answers it). */
    public long lostCongestion;
    /** Of packetsLost: lost without a queue in sight (random/media loss: parity answers it). */
    public long lostRandom;
    public long duplicatePackets;
    public long duplicateFrames;
    /** Failed AEAD (forged, corrupted, truncated or for another key). */
    public long forgedPackets;
    /** Authenticated but unparseable payload, or not a packet of this connection. */
    public long malformedPackets;
    public long probes;
    public long migrations;
    public long fecRepairsSent;
    /** Of fecRepairsSent: parity over a bulk run's last round trip ({@link TailParity}). */
    public long fecTailRepairsSent;
    /** Packets rebuilt from a REPAIR instead of waiting a round trip for a re-send. */
    public long fecRecovered;
    /** Of our packets, those the peer reported rebuilt from our parity (FILLED): losses no re-send was needed for. */
    public long peerFilled;
    /** Padded PINGs sent to find the path's MTU. */
    public long pmtuProbes;

    @Override
    public String toString() {
        return "sent=" + packetsSent + " recv=" + packetsReceived + " lost=" + packetsLost + " (random " + lostRandom + ", congestion " + lostCongestion + ") retx=" + framesRetransmitted
                + " dupPkts=" + duplicatePackets + " dupFrames=" + duplicateFrames + " forged=" + forgedPackets
                + " malformed=" + malformedPackets + " probes=" + probes + " migrations=" + migrations
                + " fecSent=" + fecRepairsSent + " (tail " + fecTailRepairsSent + ")" + " fecRecovered=" + fecRecovered + " peerFilled=" + peerFilled + " pmtuProbes=" + pmtuProbes;
    }
}
