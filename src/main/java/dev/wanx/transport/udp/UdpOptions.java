package dev.wanx.transport.udp;

import java.util.function.Supplier;

/**
 * Tunables of the UDP carrier; immutable, changed with withers. Defaults suit a 100 Mbit/s, 100–250 ms link.
 *
 * @param maxPayload          plaintext bytes of frames per packet (datagram = 17 header + payload + 16 tag)
 * @param handshakeTimeoutMs  total time {@code connect} waits for the far's reply before failing
 * @param handshakeRetryMs    first retransmit of the first flight; doubles each time
 * @param keepaliveMs         PING after this long without sending anything ack-eliciting
 * @param idleTimeoutMs       close when nothing authenticated arrived for this long
 * @param memoryBudget        most bytes of frames (queued + unacked) one session holds; beyond it not writable
 * @param sendQueueHighWater  frames queued but not yet in packets beyond which the link is not writable
 * @param maxAckDelayMs       cap of the receiver's ack delay (it uses min(this, RTT/4))
 * @param initialRttMs        RTT assumed before a sample (the near uses the handshake RTT instead)
 * @param congestionControl   makes one controller per connection
 * @param inboundFilter       test-only impairment on received datagrams; null in production
 * @param socketBufferBytes   SO_RCVBUF/SO_SNDBUF asked for (the kernel may cap it)
 * @param fec                 send XOR repair packets for the start and tail of each burst (see {@link Fec})
 * @param pmtuMaxPayload      the largest payload path-MTU probing tries (see {@link PathMtu}); equal to
 *                            {@code maxPayload} turns probing off. Also what this end takes in and announces in its hello.
 */
public record UdpOptions(int maxPayload, long handshakeTimeoutMs, long handshakeRetryMs, long keepaliveMs,
                         long idleTimeoutMs, long memoryBudget, int sendQueueHighWater, long maxAckDelayMs,
                         long initialRttMs, CongestionControlFactory congestionControl,
                         Supplier<DatagramFilter> inboundFilter, int socketBufferBytes, boolean fec,
                         int pmtuMaxPayload) {

    /** Makes a controller for one connection; a context-aware one can read history here. */
    @FunctionalInterface
    public interface CongestionControlFactory {
        CongestionControl create(int maxDatagram, long initialRttNs);
    }

    /** 1500 MTU − 40 IPv6 − 8 UDP − 17 header − 16 tag: the largest payload that never fragments on IPv4 or IPv6. */
    /** So that even a REPAIR of full-size packets (Fec.REPAIR_FIXED more) fits a 1500-byte IPv6 path. */
    public static final int MAX_PAYLOAD = 1500 - 40 - 8 - PacketHeader.LENGTH - PacketCipher.TAG - Fec.REPAIR_FIXED;

    public static final CongestionControlFactory BBR_LITE = (mss, rtt) -> new BbrLite(mss, 32, rtt, 2.5);

    public static UdpOptions defaults() {
        return new UdpOptions(1200, 3000, 250, 5000, 30_000, 64L << 20, 1 << 20, 25, 100,
                BBR_LITE, null, 4 << 20, true, MAX_PAYLOAD);
    }

    public UdpOptions {
        if (maxPayload < 1200 || maxPayload > MAX_PAYLOAD) {
            throw new IllegalArgumentException("maxPayload must be 1200.." + MAX_PAYLOAD + " (no fragmentation at MTU 1500): " + maxPayload);
        }
        if (pmtuMaxPayload < 1200 || pmtuMaxPayload > MAX_PAYLOAD) {
            throw new IllegalArgumentException("pmtuMaxPayload must be 1200.." + MAX_PAYLOAD + ": " + pmtuMaxPayload);
        }
    }

    public int maxDatagram() { return PacketHeader.LENGTH + maxPayload + PacketCipher.TAG; }

    /** The largest payload this end sends after probing, takes in, and announces in its hello. */
    public int largestPayload() { return Math.max(maxPayload, pmtuMaxPayload); }

    /** The largest DATA datagram this end sends or takes in (after path-MTU probing). */
    public int largestDatagram() { return PacketHeader.LENGTH + largestPayload() + PacketCipher.TAG; }

    /** The largest datagram a receiver must take whole: a REPAIR of full-size DATA packets. */
    public int maxReceiveDatagram() { return largestDatagram() + Fec.REPAIR_FIXED; }

    /** Larger packets cut header overhead where the path MTU is known to be 1500 (the default 1200 is safe everywhere). */
    public UdpOptions withMaxPayload(int v) {
        return new UdpOptions(v, handshakeTimeoutMs, handshakeRetryMs, keepaliveMs, idleTimeoutMs, memoryBudget, sendQueueHighWater,
                maxAckDelayMs, initialRttMs, congestionControl, inboundFilter, socketBufferBytes, fec, pmtuMaxPayload);
    }

    public UdpOptions withHandshakeTimeoutMs(long v) {
        return new UdpOptions(maxPayload, v, handshakeRetryMs, keepaliveMs, idleTimeoutMs, memoryBudget, sendQueueHighWater,
                maxAckDelayMs, initialRttMs, congestionControl, inboundFilter, socketBufferBytes, fec, pmtuMaxPayload);
    }

    public UdpOptions withIdleTimeoutMs(long v) {
        return new UdpOptions(maxPayload, handshakeTimeoutMs, handshakeRetryMs, keepaliveMs, v, memoryBudget, sendQueueHighWater,
                maxAckDelayMs, initialRttMs, congestionControl, inboundFilter, socketBufferBytes, fec, pmtuMaxPayload);
    }

    public UdpOptions withKeepaliveMs(long v) {
        return new UdpOptions(maxPayload, handshakeTimeoutMs, handshakeRetryMs, v, idleTimeoutMs, memoryBudget, sendQueueHighWater,
                maxAckDelayMs, initialRttMs, congestionControl, inboundFilter, socketBufferBytes, fec, pmtuMaxPayload);
    }

    public UdpOptions withMemoryBudget(long v) {
        return new UdpOptions(maxPayload, handshakeTimeoutMs, handshakeRetryMs, keepaliveMs, idleTimeoutMs, v, sendQueueHighWater,
                maxAckDelayMs, initialRttMs, congestionControl, inboundFilter, socketBufferBytes, fec, pmtuMaxPayload);
    }

    public UdpOptions withCongestionControl(CongestionControlFactory v) {
        return new UdpOptions(maxPayload, handshakeTimeoutMs, handshakeRetryMs, keepaliveMs, idleTimeoutMs, memoryBudget, sendQueueHighWater,
                maxAckDelayMs, initialRttMs, v, inboundFilter, socketBufferBytes, fec, pmtuMaxPayload);
    }

    public UdpOptions withInboundFilter(Supplier<DatagramFilter> v) {
        return new UdpOptions(maxPayload, handshakeTimeoutMs, handshakeRetryMs, keepaliveMs, idleTimeoutMs, memoryBudget, sendQueueHighWater,
                maxAckDelayMs, initialRttMs, congestionControl, v, socketBufferBytes, fec, pmtuMaxPayload);
    }

    public UdpOptions withFec(boolean v) {
        return new UdpOptions(maxPayload, handshakeTimeoutMs, handshakeRetryMs, keepaliveMs, idleTimeoutMs, memoryBudget, sendQueueHighWater,
                maxAckDelayMs, initialRttMs, congestionControl, inboundFilter, socketBufferBytes, v, pmtuMaxPayload);
    }

    /** Path-MTU probing up to this payload ({@code maxPayload} or less: off). */
    public UdpOptions withPmtuMaxPayload(int v) {
        return new UdpOptions(maxPayload, handshakeTimeoutMs, handshakeRetryMs, keepaliveMs, idleTimeoutMs, memoryBudget, sendQueueHighWater,
                maxAckDelayMs, initialRttMs, congestionControl, inboundFilter, socketBufferBytes, fec, Math.max(1200, v));
    }
}
