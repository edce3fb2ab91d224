package dev.wanx.reduce;

import dev.wanx.relay.Conduit;
import dev.wanx.transport.Hint;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.rocksdb.RocksDBException;

/**
 * Data reduction for one process (near or far): owns the dictionary (and its executor), the codec settings and the
 * counters, and wraps tunnel streams. Peers are identified by a stable name (e.g. the near's authenticated
 * identity on the far; the far's name on the near) which scopes the cross-peer rule.
 */
public final class ReductionService implements AutoCloseable {
    private final ChunkStore store;
    private final ReduceConfig cfg;
    private final StreamStats closedTotals = new StreamStats();
    private final Set<ReducingConduit> live = ConcurrentHashMap.newKeySet();

    public ReductionService(ChunkStore store, ReduceConfig cfg) {
        this.store = store;
        this.cfg = cfg;
    }

    /** Opens the chunk dictionary per the settings, or returns null when reduction is off. One clear message on failure. */
    public static ReductionService open(ReduceSettings settings) throws java.io.IOException {
        if (!settings.enabled()) return null;
        try {
            java.nio.file.Files.createDirectories(settings.dict());
            return open(settings.dict(), settings.dictSize());
        } catch (RocksDBException | java.io.IOException e) {
            throw new java.io.IOException("cannot open the chunk dictionary " + settings.dict() + ": " + e.getMessage()
                    + " (is another wanx using it? use --dict elsewhere or --no-reduce)", e);
        }
    }

    /** {@code --dict DIR --dict-size SIZE}. */
    public static ReductionService open(Path dictDir, String dictSize) throws RocksDBException {
        return new ReductionService(ChunkStore.open(dictDir, Sizes.parse(dictSize)), ReduceConfig.defaults());
    }

    /**
     * Wraps the tunnel side of one stream; the result is the app-side conduit to relay with. Both ends of a stream
     * must wrap it (the lead negotiates that, e.g. by a StreamOpen flag). {@code hint} is reserved for
     * protocol-aware chunking; every hint is reduced the same way for now.
     */
    public ReducingConduit wrap(Conduit stream, String peerName, Hint hint) {
        ReducingConduit c = new ReducingConduit(stream, this, ChunkStore.peerKey(peerName), cfg, new StreamStats());
        live.add(c);
        return c;
    }

    public ChunkStore store() {
        return store;
    }

    StreamStats closedTotals() {
        return closedTotals;
    }

    void streamClosed(ReducingConduit c) {
        live.remove(c);
    }

    /** Totals over finished and live streams. */
    public StreamStats totals() {
        StreamStats t = new StreamStats();
        closedTotals.addTo(t);
        for (ReducingConduit c : live) c.stats().addTo(t);
        return t;
    }

    public DictStats dictStats() {
        return store.stats();
    }

    @Override public void close() {
        store.close();
    }
}
