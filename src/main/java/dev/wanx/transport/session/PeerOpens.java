package dev.wanx.transport.session;

import dev.wanx.transport.DialError;
import dev.wanx.transport.IncomingStream;
import dev.wanx.transport.StreamOpen;
import io.netty.buffer.ByteBuf;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * The peer's new streams: whether one is admitted at all (stream count, session credit), and its OPEN checked and
 * handed to the acceptor. Loop only, except {@link #setAcceptor}.
 */
final class PeerOpens {
    private static final Logger LOG = Logger.getLogger("wanx.session");

    private final MuxSession session;
    private final StreamTable streams;
    private final SessionCredit credit;
    private volatile Consumer<IncomingStream> acceptor;

    PeerOpens(MuxSession session, StreamTable streams, SessionCredit credit) {
        this.session = session;
        this.streams = streams;
        this.credit = credit;
    }

    void setAcceptor(Consumer<IncomingStream> acceptor) { this.acceptor = acceptor; }

    /** The stream a frame belongs to; creates peer streams on first sight (any frame type); null to ignore. */
    MuxStream streamFor(long id) {
        MuxStream s = streams.get(id);
        if (s != null) return s;
        if (!streams.firstSightOfPeerId(id)) return null; // finished stream, or our own long gone
        // Every stream starts with the initial window granted: unless the peer keeps to session credit, refuse new ones
        // rather than overrun memory (roomForPeerStream). The code is "tunnel down", not a destination's answer: the
        // near sends that connection direct (fail-forward). With GENERAL it reset the app's connection
        // (EndToEndUdpTest.manyConcurrentStreams, a rare "connection reset").
        int max = session.options().maxPeerStreams();
        if (streams.peerOpen() >= max || !credit.roomForPeerStream()) {
            LOG.warning(() -> "refusing stream " + id + " from " + session.peerName() + ": too many streams ("
                    + streams.peerOpen() + " open, at most " + max + ", or the receive budget is spent)");
            session.sendControl(Frame.reset(session.alloc(), id, DialError.TUNNEL_DOWN.code, "too many streams"));
            return null;
        }
        s = MuxStream.placeholder(session, id);
        streams.add(s);
        credit.onNewStream();
        return s;
    }

    void onOpen(MuxStream s, ByteBuf f) {
        if (s.local || s.openSeen) {
            session.resetStream(s, "duplicate OPEN");
            return;
        }
        StreamOpen dest;
        try {
            dest = Frame.openDest(f);
        } catch (IllegalArgumentException e) {
            dest = null;
        }
        long took = dest == null ? -1 : Frame.openEarly(f);
        if (took < 0) {
            session.resetStream(s, "malformed OPEN");
            return;
        }
        if (!credit.claimEarly(took)) {
            session.protocolError("OPEN took " + took + " bytes of early credit, " + credit.unclaimedEarly() + " left");
            return;
        }
        s.setOpenInfo(dest);
        s.flags = Frame.openFlags(f);
        credit.onPeerOpen(s, took);
        if (s.receivedEnd() > s.advertisedMax) { // data that came before its OPEN went beyond what the OPEN took
            session.resetStream(s, "peer exceeded flow-control credit");
            return;
        }
        int dataAt = Frame.openDataIndex(f);
        int n = f.writerIndex() - dataAt;
        if (n > 0) {
            String err = s.onData(0, f.retainedSlice(dataAt, n), false);
            if (err != null) {
                session.resetStream(s, err);
                return;
            }
        }
        Consumer<IncomingStream> a = acceptor;
        if (a == null) {
            s.reject(DialError.DENIED, "peer does not accept streams");
            return;
        }
        try {
            a.accept(s);
        } catch (RuntimeException e) {
            LOG.warning("stream acceptor failed: " + e);
            s.reject(DialError.GENERAL, "internal error");
        }
    }
}
