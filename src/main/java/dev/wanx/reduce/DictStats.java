package dev.wanx.reduce;

import java.util.Locale;

/** A snapshot of dictionary counters (hits/misses/bytes saved persist across restarts). */
public record DictStats(long sizeBytes, long maxBytes, long chunks, long hits, long misses, long corrupt,
                        long bytesSaved, long reinserted) {
    public double hitRatio() {
        long t = hits + misses;
        return t == 0 ? 0 : (double) hits / t;
    }

    @Override public String toString() {
        return String.format(Locale.ROOT,
                "size %s (bound %s), chunks ~%d, hits %d, misses %d, hit ratio %.1f%%, corrupt %d, bytes saved %s, re-inserted %d",
                Sizes.format(sizeBytes), maxBytes >= Long.MAX_VALUE / 8 ? "n/a" : Sizes.format(maxBytes), chunks, hits,
                misses, 100 * hitRatio(), corrupt, Sizes.format(bytesSaved), reinserted);
    }
}
