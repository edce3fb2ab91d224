package dev.wanx.reduce;

import com.github.luben.zstd.Zstd;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One stream direction, app bytes to records: chunk, fingerprint, ask the dictionary (async, in order) which
 * chunks this peer already has, then emit REF runs for known chunks and LITERAL groups (zstd when it pays) for
 * the rest. Every referenced chunk is remembered ({@link Pins}) until the receiver acknowledges it, so a MISS can be answered:
 * the first {@code pinBudget} bytes with their contents in memory ("hard" pins), beyond that by fingerprint only
 * ("soft" pins, answered from our own dictionary, where a referenced chunk sits in the newest half of the FIFO
 * because prepareSend re-inserts older ones). Never stalling on pins matters: ACKs travel on the reverse input,
 * which the peer's app may legitimately stop reading, and a stall would couple the two directions (deadlock).
 * Past {@link #MAX_OUTSTANDING} unacknowledged references, known chunks go as literals (correct, just colder).
 * Runs on the stream's executor only.
 */
final class StreamEncoder {
    private enum Mode { DETECT, LEARN, NO_ZSTD, PASSTHROUGH }

    private static final int SNIFF = 8 * 1024;
    private static final long ENTROPY_WINDOW = 1L << 20;
    static final int MAX_OUTSTANDING = 256 * 1024; // ~2 GiB of 8 KiB chunks referenced but not yet acked

    private final ReduceConfig cfg;
    private final ChunkStore store;
    private final long peer;
    private final EventExecutor executor;
    private final ByteBufAllocator alloc;
    private final Consumer<ByteBuf> out;
    private final StreamStats stats;
    private final StreamStats totals;
    private final Runnable onProgress;
    private final java.util.function.BooleanSupplier tunnelWritable;
    private final Consumer<Throwable> onFail;
    private final FastCdc chunker;

    private Mode mode = Mode.DETECT;
    private final byte[] sniff = new byte[SNIFF];
    private int sniffLen;
    private final ArrayDeque<Batch> batches = new ArrayDeque<>();
    private long backlog;            // app bytes accepted but not yet emitted
    private long lastWrite;
    private ScheduledFuture<?> flushTimer;
    private boolean finishing;
    private boolean endSent;
    private boolean endAcked;
    private boolean failed;
    private long highEntropyBytes;   // cold bytes in the first window that looked random
    private long refSeq;
    private final Pins pins;

    private static final class Batch {
        final List<byte[]> chunks = new ArrayList<>();
        ByteBuf raw;      // PASSTHROUGH: a retained slice of the app's buffer, sent as one unlearned literal
        final List<Fingerprint> fps = new ArrayList<>();
        boolean[] known;
        boolean ready;
        boolean end;
        boolean learn = true;
        boolean partial;  // bytes of an unfinished chunk, sent early for latency (LITERAL F_PARTIAL)
        int prefix;       // chunk 0's first `prefix` bytes already went as partials (LITERAL F_CONT)
        long bytes;
    }

    StreamEncoder(ReduceConfig cfg, ChunkStore store, long peer, EventExecutor executor, ByteBufAllocator alloc,
                  Consumer<ByteBuf> out, java.util.function.BooleanSupplier tunnelWritable, StreamStats stats,
                  StreamStats totals, Runnable onProgress, Consumer<Throwable> onFail) {
        this.tunnelWritable = tunnelWritable;
        this.onFail = onFail;
        this.cfg = cfg;
        this.store = store;
        this.peer = peer;
        this.executor = executor;
        this.alloc = alloc;
        this.out = out;
        this.stats = stats;
        this.totals = totals;
        this.onProgress = onProgress;
        this.chunker = cfg.newChunker();
        this.pins = new Pins(cfg.pinBudget());
    }

    long backlog() {
        return backlog;
    }

    boolean endSent() {
        return endSent;
    }

    boolean endAcked() {
        return endAcked;
    }

    /** App bytes to send; takes ownership. */
    void write(ByteBuf data) {
        try {
            if (finishing || failed) return;
            int n = data.readableBytes();
            if (n == 0) return;
            stats.appIn.addAndGet(n);
            totals.appIn.addAndGet(n);
            backlog += n;
            lastWrite = cfg.nanoClock().getAsLong();
            if (mode == Mode.DETECT) detect(data);
            if (mode == Mode.PASSTHROUGH) {
                // No copy: slices of the app's buffer, queued behind batches still waiting for the dictionary.
                for (int off = 0; off < n; off += cfg.literalGroup()) { // records stay below MAX_BODY
                    Batch b = new Batch();
                    b.bytes = Math.min(cfg.literalGroup(), n - off);
                    b.raw = data.retainedSlice(data.readerIndex() + off, (int) b.bytes);
                    b.learn = false;
                    b.ready = true;
                    batches.add(b);
                }
                drain();
                return;
            }
            boolean first = !wroteBefore;
            wroteBefore = true;
            Batch b = new Batch();
            chunker.feed(data, c -> add(b, c));
            submit(b);
            if (chunker.pending() > partialSent) {
                // A stream's first bytes are most often a request (or a reply's head) the peer is waiting for: they
                // go at once, not after the idle wait. Later writes keep it, so a steady source keeps whole chunks.
                if (first && backlog == chunker.pending() - partialSent && tunnelWritable.getAsBoolean()) sendPartial();
                else armFlush(cfg.flushIdleNanos());
            }
        } finally {
            data.release();
        }
    }

    private void detect(ByteBuf data) {
        int take = Math.min(SNIFF - sniffLen, data.readableBytes());
        data.getBytes(data.readerIndex(), sniff, sniffLen, take);
        sniffLen += take;
        if (ContentSniffer.looksLikeTls(sniff, sniffLen)) {
            mode = Mode.PASSTHROUGH;
            stats.reason(Reason.NOT_LEARNED_ENCRYPTED, "TLS record header at stream start");
        } else if (sniffLen >= 512 && ContentSniffer.looksCompressed(sniff, sniffLen)) {
            mode = Mode.NO_ZSTD;
            stats.reason(Reason.NOT_LEARNED_COMPRESSED, "compressed-format signature near stream start: learned, not recompressed");
        } else if (sniffLen >= SNIFF) {
            mode = Mode.LEARN;
        }
    }

    private boolean wroteBefore;
    private int partialSent; // bytes of the chunker's unfinished chunk already sent as partials

    private void add(Batch b, byte[] c) {
        if (partialSent > 0) { // the chunk whose beginning was flushed early: always chunk 0 of its batch
            b.prefix = partialSent;
            partialSent = 0;
        }
        b.chunks.add(c);
        b.fps.add(Fingerprint.of(c));
        b.bytes += c.length - (b.chunks.size() == 1 ? b.prefix : 0);
    }

    private void submit(Batch b) {
        if (b.chunks.isEmpty()) return;
        batches.add(b);
        store.prepareSendAsync(peer, b.fps, b.chunks).whenComplete((known, err) -> executor.execute(() -> {
            // A failed or refused look-up only costs reduction: everything goes as literals.
            b.known = err == null ? known : new boolean[b.chunks.size()];
            b.ready = true;
            drain();
        }));
    }

    private void armFlush(long delay) {
        if (flushTimer != null || failed) return;
        flushTimer = executor.schedule(() -> {
            flushTimer = null;
            if (failed || chunker.pending() <= partialSent) return;
            long idle = cfg.nanoClock().getAsLong() - lastWrite;
            // Flush only after the app went quiet: a bulk transfer keeps its content-defined boundaries.
            // And only when the tunnel can take it: behind a full tunnel the bytes would wait anyway.
            // And only when nothing else is queued: a backlog means we are the bottleneck, not the app.
            if (idle < cfg.flushIdleNanos()) {
                armFlush(cfg.flushIdleNanos() - idle);
            } else if (tunnelWritable.getAsBoolean() && backlog == chunker.pending() - partialSent) {
                sendPartial();
            } else {
                armFlush(cfg.flushIdleNanos()); // look again; never force a cut (it would shift boundaries)
            }
        }, Math.max(delay, 50_000L), TimeUnit.NANOSECONDS);
    }

    /**
     * Latency without losing content-defined boundaries: the unfinished chunk's new bytes are sent now (not
     * learned) but stay in the chunker; when the chunk completes, only its remainder is sent and both ends learn the
     * whole chunk. A forced cut here instead would shift boundaries and make the next transfer miss chunks.
     */
    private void sendPartial() {
        int n = chunker.pending() - partialSent;
        if (n <= 0 || failed) return;
        Batch b = new Batch();
        b.chunks.add(chunker.copyPending(partialSent, n));
        b.partial = true;
        b.learn = false;
        b.ready = true;
        b.bytes = n;
        partialSent += n;
        batches.add(b);
        drain();
    }

    private void flushTail() {
        if (chunker.pending() == 0 || failed) return;
        Batch b = new Batch();
        chunker.flush(c -> add(b, c));
        submit(b);
    }

    /** App half-closed: flush and queue END behind everything. */
    void finish() {
        if (finishing || failed) return;
        finishing = true;
        if (mode != Mode.PASSTHROUGH) flushTail();
        Batch e = new Batch();
        e.end = true;
        e.ready = true;
        batches.add(e);
        drain();
    }

    private void drain() {
        while (!failed && !batches.isEmpty() && batches.peek().ready) {
            Batch b = batches.peek();
            if (b.end) {
                batches.poll();
                emit(ReduceWire.end(alloc, stats.reason(), stats.why()), true);
                endSent = true;
                break;
            }
            emitBatch(b);
            batches.poll();
            backlog -= b.bytes;
        }
        onProgress.run();
    }

    private boolean refable(Batch b, int i) {
        return b.learn && b.known != null && b.known[i] && pins.outstanding() < MAX_OUTSTANDING;
    }

    private void emitBatch(Batch b) {
        if (b.raw != null) {
            emitPassthrough(b);
            return;
        }
        int n = b.chunks.size();
        int i = 0;
        while (i < n) {
            int j = i;
            if (refable(b, i)) {
                while (j < n && refable(b, j) && j - i < 4096) {
                    pins.pin(b.fps.get(j), b.chunks.get(j));
                    j++;
                }
                emitRef(b, i, j);
            } else {
                long size = 0;
                while (j < n && size < cfg.literalGroup() && !refable(b, j)) {
                    size += b.chunks.get(j).length;
                    j++;
                }
                emitLiteral(b, i, j);
            }
            i = j;
        }
        if (mode == Mode.LEARN && stats.warmBytes.get() == 0 && stats.coldBytes.get() >= ENTROPY_WINDOW
                && highEntropyBytes >= stats.coldBytes.get() * 0.95) {
            // A full window of random-looking bytes and not one repeat: ciphertext. Learning it only evicts
            // useful chunks, so stop chunking and send raw from here on.
            mode = Mode.PASSTHROUGH;
            stats.reason(Reason.NOT_LEARNED_ENCRYPTED, "high entropy without repeats in the first MiB");
            if (chunker.pending() > 0) flushTail();
        }
    }

    private void emitRef(Batch b, int from, int to) {
        List<Fingerprint> fps = b.fps.subList(from, to);
        int[] lens = new int[to - from];
        long bytes = 0;
        for (int k = from; k < to; k++) {
            lens[k - from] = b.chunks.get(k).length;
            bytes += lens[k - from];
        }
        if (from == 0) bytes -= b.prefix; // a continuation: the receiver already has the prefix (PARTIAL)
        long seq = ++refSeq;
        pins.sent(seq, fps);
        stats.warmBytes.addAndGet(bytes);
        totals.warmBytes.addAndGet(bytes);
        if (stats.reason() == Reason.COMPRESSED_ONLY) stats.reason(Reason.REDUCED, "references to chunks the peer has");
        emit(ReduceWire.ref(alloc, seq, fps, lens), true);
    }

    /** The app's own bytes behind a header: nothing to sniff, compress or learn once the stream is PASSTHROUGH. */
    private void emitPassthrough(Batch b) {
        ByteBuf payload = b.raw;
        b.raw = null;
        int size = payload.readableBytes();
        stats.coldBytes.addAndGet(size);
        totals.coldBytes.addAndGet(size);
        emit(ReduceWire.literal(alloc, 0, new int[] {size}, 1, payload), true);
    }

    private void emitLiteral(Batch b, int from, int to) {
        int count = to - from;
        int skip = from == 0 ? b.prefix : 0; // chunk 0's prefix already crossed as partials
        int[] lens = new int[count];
        int size = -skip;
        for (int k = from; k < to; k++) {
            lens[k - from] = b.chunks.get(k).length;
            size += lens[k - from];
        }
        int flags = b.learn ? ReduceWire.F_LEARN : 0;
        if (skip > 0) flags |= ReduceWire.F_CONT;
        if (b.partial) flags |= ReduceWire.F_PARTIAL;
        ByteBuf payload = null;
        // Sniff only where it decides something: zstd or not, and (LEARN) the first MiB's ciphertext verdict.
        if (mode != Mode.NO_ZSTD && mode != Mode.PASSTHROUGH) {
            boolean random = ContentSniffer.entropy(b.chunks, from, to, skip, size) > ContentSniffer.HIGH_ENTROPY;
            if (random && stats.coldBytes.get() < ENTROPY_WINDOW) highEntropyBytes += size;
            if (!random && size >= 64) {
                byte[] raw = ReduceWire.joinPieces(b.chunks, from, to, skip, size);
                byte[] z = Zstd.compress(raw, cfg.zstdLevel());
                if (z.length < size - size / 32) { // only when it pays (> ~3 %)
                    raw = z;
                    flags |= ReduceWire.F_ZSTD;
                }
                payload = Unpooled.wrappedBuffer(raw);
            }
        }
        if (payload == null) payload = ReduceWire.wrapPieces(b.chunks, from, to, skip); // the chunks themselves, no copy
        if (!b.learn) lens = new int[] {size};
        stats.coldBytes.addAndGet(size);
        totals.coldBytes.addAndGet(size);
        emit(ReduceWire.literal(alloc, flags, lens, b.learn ? count : 1, payload), true);
    }

    /** The receiver resolved every REF record up to {@code seq}: unpin their chunks. */
    void onAck(long seq) {
        pins.acked(seq);
    }

    void onEndAck() {
        onAck(Long.MAX_VALUE);
        endAcked = true;
    }

    /** The receiver lacks these chunks: answer from the hard pins, else (soft pin) from our dictionary. */
    void onMiss(List<Fingerprint> fps) {
        for (Fingerprint fp : fps) {
            if (!pins.referenced(fp)) {
                throw new ReduceWire.ProtocolException("MISS for a chunk never referenced or already acked: " + fp);
            }
            stats.chunksServed.incrementAndGet();
            byte[] d = pins.contents(fp);
            if (d != null) {
                emitControl(ReduceWire.chunk(alloc, fp, d));
                continue;
            }
            store.submit(() -> store.peek(fp)).whenComplete((data, err) -> executor.execute(() -> {
                if (failed) return;
                if (data != null && fp.matches(data)) {
                    emitControl(ReduceWire.chunk(alloc, fp, data));
                } else {
                    // Evicted (or corrupt) within one round trip of being referenced: the receiver cannot be
                    // answered; abort rather than deliver anything wrong.
                    onFail.accept(new IllegalStateException("referenced chunk " + fp + " lost before acknowledgement",
                            err));
                }
            }));
        }
    }

    private void emit(ByteBuf rec, boolean data) {
        int n = rec.readableBytes();
        if (data) {
            stats.wireOut.addAndGet(n);
            totals.wireOut.addAndGet(n);
        }
        out.accept(rec);
    }

    void emitControl(ByteBuf rec) {
        stats.controlOut.addAndGet(rec.readableBytes());
        totals.controlOut.addAndGet(rec.readableBytes());
        out.accept(rec);
    }

    void close() {
        failed = true;
        if (flushTimer != null) flushTimer.cancel(false);
        for (Batch b : batches) {
            if (b.raw != null) b.raw.release();
            b.raw = null;
        }
        batches.clear();
        pins.clear();
    }
}
