package dev.wanx.reduce;

import java.util.function.LongSupplier;

/**
 * Tunables of the codec. Defaults suit a WAN: 2/8/64 KiB chunks, zstd level 1 (fast; the WAN is the bottleneck
 * only after reduction), 16 MiB of referenced chunks kept per stream until acknowledged, 1 ms idle before a partial
 * chunk is flushed (bulk transfers never wait; interactive ones pay at most that), 4 MiB of encode backlog and
 * 8 MiB of decoded-but-undelivered bytes before backpressure.
 */
public record ReduceConfig(int minChunk, int avgChunk, int maxChunk, int zstdLevel, long pinBudget,
                           long flushIdleNanos, long encodeHighWater, long decodeHighWater, long decodeHardCap,
                           int literalGroup, LongSupplier nanoClock) {
    public static ReduceConfig defaults() {
        return new ReduceConfig(2 << 10, 8 << 10, 64 << 10, 1, 16L << 20, 1_000_000L, 4L << 20, 8L << 20,
                64L << 20, 256 << 10, System::nanoTime);
    }

    public ReduceConfig withFlushIdleNanos(long n) {
        return new ReduceConfig(minChunk, avgChunk, maxChunk, zstdLevel, pinBudget, n, encodeHighWater,
                decodeHighWater, decodeHardCap, literalGroup, nanoClock);
    }

    public ReduceConfig withPinBudget(long n) {
        return new ReduceConfig(minChunk, avgChunk, maxChunk, zstdLevel, n, flushIdleNanos, encodeHighWater,
                decodeHighWater, decodeHardCap, literalGroup, nanoClock);
    }

    public ReduceConfig withClock(LongSupplier clock) {
        return new ReduceConfig(minChunk, avgChunk, maxChunk, zstdLevel, pinBudget, flushIdleNanos, encodeHighWater,
                decodeHighWater, decodeHardCap, literalGroup, clock);
    }

    FastCdc newChunker() {
        return new FastCdc(minChunk, avgChunk, maxChunk);
    }
}
