package dev.wanx.reduce;

import com.github.luben.zstd.Zstd;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.util.concurrent.EventExecutor;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One stream direction, records to app bytes. Data records become an ordered queue of items; literals are ready
 * at once (and learned), references wait for the dictionary (async) and, on a miss, for a CHUNK answer to our
 * MISS. Every chunk is checked against its fingerprint before it may be delivered; a CHUNK that does not match
 * aborts the stream. Items are delivered strictly in order, only while the app reads; resolved REF records are
 * acknowledged (cumulative ACK) so the sender can unpin them. Control records for our own sending direction are
 * handed to the {@link StreamEncoder}. Runs on the stream's executor only.
 */
final class StreamDecoder {
    interface Events {
        void deliver(ByteBuf data);

        void endOfInput(); // the peer's END was reached in order

        void readWanted(boolean wanted); // inbound backpressure on the tunnel side
    }

    private static final class Item {
        final Fingerprint fp;
        final int len;
        ByteBuf data;  // null until resolved; owned by the item until delivered (released on close)
        long ackSeq;   // >0 on the last item of a REF record
        boolean end;
        byte[] prefix; // REF continuing open partial bytes: they must equal the chunk's start; deliver the rest

        Item(Fingerprint fp, int len, ByteBuf data) {
            this.fp = fp;
            this.len = len;
            this.data = data;
        }
    }

    private final ReduceConfig cfg;
    private final ChunkStore store;
    private final long peer;
    private final EventExecutor executor;
    private final ByteBufAllocator alloc;
    private final StreamEncoder encoder;
    private final StreamStats stats;
    private final StreamStats totals;
    private final Events events;
    private final RecordReader reader;

    private final ArrayDeque<Item> queue = new ArrayDeque<>();
    private final Map<Fingerprint, List<Item>> waiting = new HashMap<>();
    private long queuedBytes;
    private byte[] partialBuf = new byte[64 * 1024]; // bytes of the sender's unfinished chunk (F_PARTIAL)
    private int partialLen;
    private boolean helloSeen;
    private boolean endSeen;
    private boolean endDelivered;
    private boolean appReadEnabled = true;
    private boolean readWanted = true;
    private long acked;
    private boolean closed;

    StreamDecoder(ReduceConfig cfg, ChunkStore store, long peer, EventExecutor executor, ByteBufAllocator alloc,
                  StreamEncoder encoder, StreamStats stats, StreamStats totals, Events events) {
        this.cfg = cfg;
        this.store = store;
        this.peer = peer;
        this.executor = executor;
        this.alloc = alloc;
        this.encoder = encoder;
        this.stats = stats;
        this.totals = totals;
        this.events = events;
        this.reader = new RecordReader(alloc);
    }

    boolean endSeen() {
        return endSeen;
    }

    boolean endDelivered() {
        return endDelivered;
    }

    /** Bytes from the tunnel; takes ownership. Throws ProtocolException on anything malformed or unverifiable. */
    void onWire(ByteBuf data) {
        if (closed) {
            data.release();
            return;
        }
        stats.wireIn.addAndGet(data.readableBytes());
        totals.wireIn.addAndGet(data.readableBytes());
        reader.add(data);
        ByteBuf rec;
        while ((rec = reader.next()) != null) {
            try {
                handle(ReduceWire.openRecord(rec), rec);
            } finally {
                rec.release();
            }
        }
        drain();
    }

    private void handle(int type, ByteBuf b) {
        if (!helloSeen && type != ReduceWire.HELLO) throw new ReduceWire.ProtocolException("expected HELLO, got " + type);
        switch (type) {
            case ReduceWire.HELLO -> {
                int v = b.readUnsignedByte();
                if (v != ReduceWire.VERSION) throw new ReduceWire.ProtocolException("unsupported reduce version " + v);
                helloSeen = true;
            }
            case ReduceWire.LITERAL -> literal(b);
            case ReduceWire.REF -> ref(b);
            case ReduceWire.END -> {
                Reason r = Reason.fromCode(b.readUnsignedByte());
                stats.peerReason(r, b.toString(StandardCharsets.UTF_8));
                if (endSeen) throw new ReduceWire.ProtocolException("second END");
                endSeen = true;
                Item e = new Item(null, 0, Unpooled.EMPTY_BUFFER);
                e.end = true;
                queue.add(e);
            }
            case ReduceWire.MISS -> {
                int n = ReduceWire.readLength(b, 1 << 16);
                List<Fingerprint> fps = new ArrayList<>(n);
                for (int i = 0; i < n; i++) fps.add(ReduceWire.readFingerprint(b));
                encoder.onMiss(fps);
            }
            case ReduceWire.CHUNK -> chunk(ReduceWire.readFingerprint(b), readRest(b));
            case ReduceWire.ACK -> encoder.onAck(ReduceWire.readVarint(b));
            case ReduceWire.END_ACK -> encoder.onEndAck();
            default -> throw new ReduceWire.ProtocolException("unknown record type " + type);
        }
    }

    private static byte[] readRest(ByteBuf b) {
        byte[] d = new byte[b.readableBytes()];
        b.readBytes(d);
        return d;
    }

    private void literal(ByteBuf b) {
        if (endSeen) throw new ReduceWire.ProtocolException("data after END");
        int flags = b.readUnsignedByte();
        boolean learn = (flags & ReduceWire.F_LEARN) != 0;
        boolean partial = (flags & ReduceWire.F_PARTIAL) != 0;
        boolean cont = (flags & ReduceWire.F_CONT) != 0;
        if (partial && (learn || cont)) throw new ReduceWire.ProtocolException("bad literal flags " + flags);
        if (cont != (partialLen > 0) && !partial) throw new ReduceWire.ProtocolException("partial chunk not continued");
        int count = ReduceWire.readLength(b, 1 << 16);
        if (count == 0 || (!learn && count != 1)) throw new ReduceWire.ProtocolException("bad literal count");
        int[] lens = new int[count];
        long total = 0;
        for (int i = 0; i < count; i++) {
            lens[i] = ReduceWire.readLength(b, ReduceWire.MAX_BODY);
            total += lens[i];
        }
        int skip = cont ? partialLen : 0; // chunk 0's first bytes came earlier as partials
        if (lens[0] < skip) throw new ReduceWire.ProtocolException("continuation shorter than its partials");
        total -= skip;
        if (total > 4L * ReduceWire.MAX_BODY) throw new ReduceWire.ProtocolException("literal too large");
        if (partial && partialLen + total > ReduceWire.MAX_BODY) throw new ReduceWire.ProtocolException("partial too long");
        byte[] arr = null; // the payload as an array, when decompression made one anyway
        ByteBuf raw;
        if ((flags & ReduceWire.F_ZSTD) != 0) {
            arr = Zstd.decompress(readRest(b), (int) total);
            if (arr.length != total) throw new ReduceWire.ProtocolException("zstd literal has wrong size");
            raw = Unpooled.wrappedBuffer(arr);
        } else {
            if (b.readableBytes() != total) throw new ReduceWire.ProtocolException("literal length mismatch");
            raw = b.readRetainedSlice((int) total); // no copy: the app gets the tunnel's own buffers
        }
        // Queued first, so the item (and its buffer) belongs to the queue whatever happens next.
        enqueue(new Item(null, (int) total, raw));
        if (partial) {
            if (partialBuf.length < partialLen + total) {
                partialBuf = java.util.Arrays.copyOf(partialBuf, (int) Math.max(partialLen + total, partialBuf.length * 2L));
            }
            raw.getBytes(raw.readerIndex(), partialBuf, partialLen, (int) total);
            partialLen += (int) total;
            return;
        }
        if (!learn) return;
        // The dictionary keeps its own copy of each chunk (the delivered buffer goes to the app).
        List<Fingerprint> fps = new ArrayList<>(count);
        List<byte[]> chunks = new ArrayList<>(count);
        int p = raw.readerIndex();
        for (int i = 0; i < count; i++) {
            int piece = lens[i] - (i == 0 ? skip : 0);
            byte[] whole;
            if (arr != null && count == 1 && skip == 0) {
                whole = arr;
            } else {
                whole = new byte[lens[i]];
                int at = 0;
                if (i == 0 && skip > 0) {
                    System.arraycopy(partialBuf, 0, whole, 0, skip);
                    at = skip;
                    partialLen = 0;
                }
                raw.getBytes(p, whole, at, piece);
            }
            p += piece;
            fps.add(Fingerprint.of(whole));
            chunks.add(whole);
        }
        // Learning is fire-and-forget: a refused or failed write only means a later MISS.
        store.learnAsync(peer, fps, chunks);
    }

    private void ref(ByteBuf b) {
        if (endSeen) throw new ReduceWire.ProtocolException("data after END");
        long seq = ReduceWire.readVarint(b);
        int n = ReduceWire.readLength(b, 1 << 16);
        if (n == 0) throw new ReduceWire.ProtocolException("empty REF");
        List<Fingerprint> fps = new ArrayList<>(n);
        List<Item> items = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Fingerprint fp = ReduceWire.readFingerprint(b);
            int len = ReduceWire.readLength(b, ReduceWire.MAX_BODY);
            Item it = new Item(fp, len, null);
            if (i == 0 && partialLen > 0) { // the chunk whose start came as PARTIAL literals
                if (len < partialLen) throw new ReduceWire.ProtocolException("continuation shorter than its partials");
                it.prefix = java.util.Arrays.copyOf(partialBuf, partialLen);
                partialLen = 0;
            }
            fps.add(fp);
            items.add(it);
            enqueue(it);
        }
        items.get(n - 1).ackSeq = seq;
        store.lookupAsync(peer, fps).whenComplete((found, err) -> executor.execute(() -> {
            if (closed) return;
            List<Fingerprint> missing = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                Item it = items.get(i);
                byte[] d = err == null ? found.get(i) : null;
                // Never trust the dictionary blindly: length and full fingerprint must match.
                if (d != null && d.length == it.len && it.fp.matches(d)) {
                    checkPrefix(it, d);
                    it.data = Unpooled.wrappedBuffer(d);
                } else {
                    List<Item> w = waiting.computeIfAbsent(it.fp, k -> new ArrayList<>());
                    if (w.isEmpty()) missing.add(it.fp);
                    w.add(it);
                }
            }
            if (!missing.isEmpty()) {
                stats.missesSent.addAndGet(missing.size());
                totals.missesSent.addAndGet(missing.size());
                encoder.emitControl(ReduceWire.miss(alloc, missing));
            }
            drain();
        }));
    }

    private void chunk(Fingerprint fp, byte[] data) {
        List<Item> w = waiting.remove(fp);
        if (w == null) throw new ReduceWire.ProtocolException("CHUNK nobody asked for: " + fp);
        if (!fp.matches(data)) throw new ReduceWire.ProtocolException("CHUNK does not match its fingerprint " + fp);
        for (Item it : w) {
            if (it.len != data.length) throw new ReduceWire.ProtocolException("CHUNK length differs from REF");
            checkPrefix(it, data);
            it.data = Unpooled.wrappedBuffer(data);
        }
        store.learnAsync(peer, List.of(fp), List.of(data));
    }

    /** The bytes already delivered as partials must be the verified chunk's start, or the stream is corrupt. */
    private static void checkPrefix(Item it, byte[] d) {
        if (it.prefix != null && !java.util.Arrays.equals(it.prefix, 0, it.prefix.length, d, 0, it.prefix.length)) {
            throw new ReduceWire.ProtocolException("referenced chunk does not continue the partial bytes");
        }
    }

    private void enqueue(Item it) {
        queue.add(it);
        queuedBytes += it.len;
        if (queuedBytes > cfg.decodeHardCap()) throw new ReduceWire.ProtocolException("decode backlog over hard cap");
    }

    void setAppReadEnabled(boolean enabled) {
        appReadEnabled = enabled;
        if (enabled) drain();
    }

    void drain() {
        long ackTo = acked;
        while (!closed && appReadEnabled && !queue.isEmpty() && queue.peek().data != null) {
            Item it = queue.poll();
            queuedBytes -= it.len;
            if (it.end) {
                if (ackTo > acked) sendAck(ackTo);
                endDelivered = true;
                encoder.emitControl(ReduceWire.endAck(alloc));
                events.endOfInput();
                return;
            }
            if (it.ackSeq > 0) ackTo = it.ackSeq;
            int skip = it.prefix == null ? 0 : it.prefix.length;
            stats.appOut.addAndGet(it.len - skip);
            totals.appOut.addAndGet(it.len - skip);
            ByteBuf d = it.data;
            it.data = null;
            if (it.len > skip) events.deliver(d.skipBytes(skip)); else d.release();
        }
        if (ackTo > acked) sendAck(ackTo);
        // Stop reading the tunnel while decoded bytes pile up, unless we wait for a CHUNK: that answer travels
        // on this same input, so pausing then would deadlock (the hard cap bounds that case).
        boolean want = queuedBytes < cfg.decodeHighWater() || !waiting.isEmpty();
        if (want != readWanted) {
            readWanted = want;
            events.readWanted(want);
        }
    }

    private void sendAck(long seq) {
        acked = seq;
        encoder.emitControl(ReduceWire.ack(alloc, seq));
    }

    void close() {
        closed = true;
        for (Item it : queue) {
            if (it.data != null) it.data.release();
            it.data = null;
        }
        queue.clear();
        waiting.clear();
        reader.release();
    }
}
