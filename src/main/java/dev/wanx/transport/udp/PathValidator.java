package dev.wanx.transport.udp;

import io.netty.buffer.ByteBuf;

import java.net.InetSocketAddress;
import java.util.SplittableRandom;

/**
 * Path validation for migration: the newest packet arriving from another address makes that address a candidate,
 * challenged with a random token (again every {@link #RETRY_NS}) until the token comes back from there; and the
 * answer to the peer's own challenge.
 */
final class PathValidator {
    static final long RETRY_NS = 200_000_000L;
    private final SplittableRandom random;
    private InetSocketAddress candidate;
    private long challengeToken;
    private long challengeSentNs;
    private long responseToken;
    private boolean responsePending;

    PathValidator(long seed) { this.random = new SplittableRandom(seed); }

    /** The newest packet came from {@code from}, not the peer's address: true if a challenge to it is due now. */
    boolean onNewAddress(InetSocketAddress from, long now) {
        if (from.equals(candidate) && now - challengeSentNs < RETRY_NS) {
            return false;
        }
        candidate = from;
        challengeToken = random.nextLong();
        return true;
    }

    /** Whether an unanswered challenge is due again. */
    boolean retryDue(long now) { return candidate != null && now - challengeSentNs >= RETRY_NS; }

    /** When {@link #retryDue} turns true (Long.MAX_VALUE if no challenge is out). */
    long timerNs() { return candidate != null ? challengeSentNs + RETRY_NS : Long.MAX_VALUE; }

    /** Writes the challenge; returns the address it goes to. */
    InetSocketAddress writeChallenge(ByteBuf plain, long now) {
        challengeSentNs = now;
        Frames.writePathChallenge(plain, challengeToken);
        return candidate;
    }

    /** A response arrived from {@code from}: the address now validated if it answers our challenge from there, else null. */
    InetSocketAddress onResponse(long token, InetSocketAddress from) {
        if (candidate == null || token != challengeToken || !candidate.equals(from)) {
            return null;
        }
        InetSocketAddress validated = candidate;
        candidate = null;
        return validated;
    }

    void onChallenge(long token) {
        responseToken = token; // answered on the current path: the challenger validates the address it came from
        responsePending = true;
    }

    boolean responsePending() { return responsePending; }

    /** Writes the pending response, if any; true if it did. */
    boolean writeResponse(ByteBuf plain) {
        if (!responsePending) {
            return false;
        }
        Frames.writePathResponse(plain, responseToken);
        responsePending = false;
        return true;
    }
}
