package dev.wanx.crypto;

/**
 * Anti-replay for transport counters, the WireGuard / RFC 6479 way: a ring of 64-bit words remembers which of the
 * last {@link #size()} counters were seen; anything older is refused. Jumping ahead clears only the words passed
 * over, so every call is O(1) amortised however far the counter jumps.
 *
 * <p>Call {@link #accept} only after the packet authenticated: otherwise a forged packet with a huge counter
 * would slide the window and make every genuine packet "too old". {@link #mayAccept} is the cheap pre-check
 * to run before decrypting. Not thread-safe.
 */
public final class ReplayWindow {
    /** Default: 8192-bit ring, 8128 counters of reordering tolerance (WireGuard uses 8192 too). */
    public static final int DEFAULT_BITS = 8192;

    private final long[] ring;
    private final int mask;     // ring.length - 1
    private final long window;  // counters behind the highest one still tracked
    private long highest = -1;  // highest counter accepted so far; -1 before the first

    public ReplayWindow() {
        this(DEFAULT_BITS);
    }

    /** {@code bits}: ring size, a power of two, at least 128; the tolerated reordering is {@code bits - 64}. */
    public ReplayWindow(int bits) {
        if (bits < 128 || Integer.bitCount(bits) != 1) throw new IllegalArgumentException("window bits must be a power of two >= 128");
        ring = new long[bits / 64];
        mask = ring.length - 1;
        // One word is kept as slack: the word holding 'highest' is only partly inside the window.
        window = bits - 64L;
    }

    /** How far behind the highest counter a counter may be and still be accepted (if not seen). */
    public long size() { return window; }

    /** The highest counter accepted, or -1 before the first. */
    public long highest() { return highest; }

    /** True if {@link #accept} would accept {@code counter}; changes nothing. */
    public boolean mayAccept(long counter) {
        if (counter < 0) return false;
        if (counter > highest) return true;
        if (highest - counter >= window) return false;
        return (ring[(int) (counter >>> 6) & mask] & (1L << (counter & 63))) == 0;
    }

    /** Records {@code counter}; false if it was seen already, is too old, or is negative. */
    public boolean accept(long counter) {
        if (counter < 0) return false;
        if (counter > highest) {
            long oldWord = highest < 0 ? -1 : highest >>> 6;
            long newWord = counter >>> 6;
            long clear = Math.min(newWord - oldWord, ring.length);
            for (long i = 1; i <= clear; i++) ring[(int) (oldWord + i) & mask] = 0;
            highest = counter;
        } else if (highest - counter >= window) {
            return false;
        }
        int idx = (int) (counter >>> 6) & mask;
        long bit = 1L << (counter & 63);
        if ((ring[idx] & bit) != 0) return false;
        ring[idx] |= bit;
        return true;
    }
}
