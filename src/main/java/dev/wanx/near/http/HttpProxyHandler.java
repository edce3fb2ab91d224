package dev.wanx.near.http;

import dev.wanx.near.OutboundDialer;
import dev.wanx.transport.DialException;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.DecoderResultProvider;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.logging.Logger;

/**
 * One client connection of the HTTP proxy. Requests are served strictly one at a time, which keeps pipelined
 * responses in order: while an exchange is in flight, the next request's parts wait in a small queue (reading
 * pauses, so the queue holds at most one read's worth). Absolute-form requests are rewritten and sent through an
 * {@link UpstreamSession}, kept for the next request to the same host:port. CONNECT hands the channel to
 * {@link ConnectTunnel}. A request whose tunnel went down before its response started is sent once more if
 * {@link RequestReplay} kept it (idempotent, small complete body); otherwise the client gets a 502.
 */
final class HttpProxyHandler extends ChannelInboundHandlerAdapter implements UpstreamSession.Owner {
    private static final Logger LOG = Logger.getLogger("wanx.near");
    private final OutboundDialer dialer;
    private final HeadTimeoutHandler headTimeout;
    private final ArrayDeque<HttpObject> queued = new ArrayDeque<>();
    private ChannelHandlerContext ctx;
    private Exchange current;
    private UpstreamSession session;
    private boolean inputDone;
    private boolean closing;

    HttpProxyHandler(OutboundDialer dialer, HeadTimeoutHandler headTimeout) {
        this.dialer = dialer;
        this.headTimeout = headTimeout;
    }

    @Override public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    // ---------------------------------------------------------------- client side

    @Override public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof HttpObject o) || closing) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (!queued.isEmpty() || (o instanceof HttpRequest && current != null)) {
            queued.add(o); // pipelined: served after the current exchange
            updateRead();
            return;
        }
        process(o);
    }

    @Override public void channelReadComplete(ChannelHandlerContext ctx) {
        // End of a read batch: the request head (and any body read with it) is all we'll get for now, dial.
        if (session != null && current != null) {
            session.dialIfNew(dialer);
            updateRead(); // no more reading until the dial is done: bounds what waits in the session
        }
        ctx.fireChannelReadComplete();
    }

    private void process(HttpObject o) {
        if (o instanceof HttpRequest req) {
            startRequest(req);
        } else if (o instanceof HttpContent c) {
            requestContent(c);
        } else {
            ReferenceCountUtil.release(o);
        }
    }

    private void startRequest(HttpRequest req) {
        ReferenceCountUtil.release(req); // a decoded request head holds no buffers, but be exact
        if (req.decoderResult().isFailure()) {
            Throwable why = req.decoderResult().cause();
            if (why instanceof TooLongHttpHeaderException) {
                fail(HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "wanx: request headers too large\n");
            } else if (why instanceof TooLongHttpLineException || why instanceof TooLongFrameException) {
                fail(HttpResponseStatus.REQUEST_URI_TOO_LONG, "wanx: request line too long\n");
            } else {
                fail(HttpResponseStatus.BAD_REQUEST, "wanx: malformed request\n");
            }
            return;
        }
        headTimeout.headReceived();
        if (req.method().equals(HttpMethod.CONNECT)) {
            startConnect(req);
            return;
        }
        ProxyTarget target = ProxyTarget.parse(req.uri());
        if (target == null) {
            String hint = req.uri().startsWith("/")
                    ? "wanx: this is a proxy; send absolute-form requests (GET http://host/path) or CONNECT\n"
                    : req.uri().regionMatches(true, 0, "https://", 0, 8)
                    ? "wanx: use CONNECT for https:// URLs\n"
                    : "wanx: bad request target '" + req.uri() + "'\n";
            fail(HttpResponseStatus.BAD_REQUEST, hint);
            return;
        }
        current = new Exchange(ProxyHeaders.clientKeepAlive(req), req.protocolVersion());
        HttpRequest out = new DefaultHttpRequest(req.protocolVersion(), req.method(), target.originForm());
        out.headers().set(req.headers());
        ProxyHeaders.stripHopByHop(out.headers());
        out.headers().set(HttpHeaderNames.HOST, target.authority());
        ProxyHeaders.addVia(out.headers(), req.protocolVersion());
        current.replay = new RequestReplay(out, target, req.uri());

        if (session != null && (!session.target().hostPort().equals(target.hostPort()) || session.state() == UpstreamSession.State.CLOSED)) {
            session.close();
            session = null;
        }
        if (session == null) session = new UpstreamSession(this, ctx.executor(), target, req.uri());
        session.send(out);
        if (req instanceof LastHttpContent) current.requestDone = true;
        updateRead();
    }

    private void requestContent(HttpContent c) {
        if (current == null || current.requestDone || session == null) {
            c.release(); // body of a request we already answered (error, or an early response)
            return;
        }
        if (c.decoderResult().isFailure()) { // broken chunking: the request can't be completed
            c.release();
            abortClient();
            return;
        }
        boolean last = c instanceof LastHttpContent;
        current.replay.content(c, ctx.alloc()); // a copy, before the codec takes the part
        session.send(c);
        if (last) {
            current.requestDone = true;
            session.dialIfNew(dialer);
        } else if (session.pendingFull()) {
            session.dialIfNew(dialer);
        }
        updateRead();
    }

    private void startConnect(HttpRequest req) {
        if (session != null) {
            session.close();
            session = null;
        }
        // Anything decoded after the CONNECT head was really tunnel payload parsed as HTTP: unrecoverable.
        boolean garbled = !queued.isEmpty();
        while (!queued.isEmpty()) ReferenceCountUtil.release(queued.poll());
        if (garbled) {
            abortClient();
            return;
        }
        closing = true; // this handler is done with HTTP on this connection
        ConnectTunnel.start(ctx, this, req.uri(), dialer);
    }

    @Override public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (session != null) session.setReadEnabled(ctx.channel().isWritable());
        ctx.fireChannelWritabilityChanged();
    }

    @Override public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent) {
            ctx.close();
        } else if (evt instanceof ChannelInputShutdownEvent) {
            inputDone = true;
            if (current == null && queued.isEmpty()) ctx.close();
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }

    @Override public void channelInactive(ChannelHandlerContext ctx) {
        closing = true;
        dropReplay();
        if (session != null) session.close();
        session = null;
        while (!queued.isEmpty()) ReferenceCountUtil.release(queued.poll());
        ctx.fireChannelInactive();
    }

    @Override public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        abortClient();
    }

    /** Reads from the client only when the next message has somewhere to go. */
    private void updateRead() {
        boolean dialing = session != null && session.state() == UpstreamSession.State.DIALING;
        boolean upstreamFull = session != null && !session.writable();
        boolean read = !closing && queued.isEmpty() && !dialing && !upstreamFull;
        if (ctx.channel().config().isAutoRead() != read) {
            ctx.channel().config().setAutoRead(read);
            if (read) ctx.read();
        }
    }

    // ---------------------------------------------------------------- upstream side

    @Override public void onResponse(UpstreamSession s, HttpObject o) {
        if (s != session || current == null || closing) { // unsolicited bytes from the origin
            ReferenceCountUtil.release(o);
            s.close();
            if (s == session) session = null;
            return;
        }
        if (o.decoderResult().isFailure()) {
            ReferenceCountUtil.release(o);
            if (current.responseStarted) abortClient();
            else fail(HttpResponseStatus.BAD_GATEWAY, "wanx: bad response from " + s.target().hostPort() + "\n");
            return;
        }
        if (o instanceof HttpResponse r && !responseHead(r)) return;
        if (o instanceof LastHttpContent && current.interim) {
            current.interim = false;
            ctx.write(o);
            return;
        }
        if (!(o instanceof HttpResponse)) ctx.write(o);
        if (o instanceof LastHttpContent) responseDone();
    }

    /** Rewrites and writes a response head; false if the exchange had to be aborted instead. */
    private boolean responseHead(HttpResponse r) {
        int code = r.status().code();
        if (code == 101) { // we never forward Upgrade, so an origin switching protocols is broken
            abortClient();
            return false;
        }
        Exchange ex = current;
        ex.responseStarted = true;
        ex.replay.drop("response started");
        ex.interim = code >= 100 && code < 200;
        if (!ex.interim) ex.upstreamReusable = HttpUtil.isKeepAlive(r);
        ProxyHeaders.stripHopByHop(r.headers());
        ProxyHeaders.addVia(r.headers(), r.protocolVersion());
        boolean bodyless = ex.interim || code == 204 || code == 304;
        if (!bodyless && !ex.interim) {
            boolean chunked = HttpUtil.isTransferEncodingChunked(r);
            boolean sized = HttpUtil.isContentLengthSet(r);
            if (ex.clientVersion.equals(HttpVersion.HTTP_1_0)) {
                // HTTP/1.0 clients know no chunking: send the body raw and mark its end by closing.
                if (chunked || !sized) {
                    r.headers().remove(HttpHeaderNames.TRANSFER_ENCODING);
                    ex.closeClient = true;
                }
            } else if (!chunked && !sized) {
                // Origin delimits by closing; re-frame as chunked so the client connection survives.
                HttpUtil.setTransferEncodingChunked(r, true);
            }
        }
        if (!ex.interim) {
            if (!ex.keepAlive || inputDone) ex.closeClient = true;
            if (ex.closeClient) {
                r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            } else if (ex.clientVersion.equals(HttpVersion.HTTP_1_0)) {
                r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            }
        }
        // Keep the client's HTTP version on the status line: the framing above was chosen for it.
        r.setProtocolVersion(ex.clientVersion);
        ctx.write(r);
        return true;
    }

    private void responseDone() {
        Exchange ex = current;
        current = null;
        ex.replay.drop("exchange done");
        if (!ex.requestDone) ex.closeClient = true; // origin answered early; the rest of the body has nowhere to go
        if (!ex.upstreamReusable || ex.closeClient) {
            session.close();
            session = null;
        }
        if (ex.closeClient) {
            closing = true;
            // The response is complete already; an empty buffer just carries the close behind it.
            ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        ctx.flush();
        headTimeout.awaitNext();
        while (!queued.isEmpty() && !closing) {
            if (queued.peek() instanceof HttpRequest && current != null) break;
            process(queued.poll());
        }
        if (current == null && queued.isEmpty() && inputDone) ctx.close();
        if (!closing && session != null && current != null) session.dialIfNew(dialer);
        if (!closing) updateRead();
    }

    @Override public void onResponseBatchDone(UpstreamSession s) {
        ctx.flush();
        if (s == session && !ctx.channel().isWritable()) s.setReadEnabled(false);
    }

    @Override public void onDialFailed(UpstreamSession s, DialException e) {
        if (s != session) return;
        session = null;
        String dest = s.target().hostPort();
        fail(ProxyErrors.status(e.error()), ProxyErrors.dialText(dest, e.error(), e.getMessage()));
    }

    @Override public void onUpstreamEnded(UpstreamSession s, Throwable cause) {
        if (s != session) return;
        session = null;
        if (current == null) return; // an idle kept-alive upstream went away: fine
        if (current.responseStarted) {
            abortClient(); // mid-response: the only honest signal left is a broken connection
        } else if (!UpstreamSession.tunnelDown(cause)) {
            fail(HttpResponseStatus.BAD_GATEWAY,
                    "wanx: " + s.target().hostPort() + " closed the connection without a response\n");
        } else if (current.replay.whyNot() != null) {
            fail(HttpResponseStatus.BAD_GATEWAY, ProxyErrors.tunnelDownText(s.target().hostPort(), current.replay.whyNot()));
        } else {
            // Not at once: the session manager hears of the loss right after its streams do, and only then starts
            // the re-probe that the router's dial should wait for (instead of going direct).
            Exchange ex = current;
            try {
                ctx.executor().execute(() -> retry(ex));
            } catch (java.util.concurrent.RejectedExecutionException shuttingDown) {
                abortClient();
            }
        }
    }

    /** Sends the kept copy of {@code ex}'s request through the router again, on a fresh upstream. */
    private void retry(Exchange ex) {
        if (closing || current != ex || session != null) return;
        RequestReplay r = ex.replay;
        LOG.info(() -> "tunnel went down before " + r.target.hostPort() + " answered: sending the " + r.method()
                + " request again (once)");
        session = new UpstreamSession(this, ctx.executor(), r.target, r.url);
        r.replayInto(session);
        session.dialIfNew(dialer);
        updateRead();
    }

    @Override public void onUpstreamWritability(UpstreamSession s) {
        if (s == session) updateRead();
    }

    // ---------------------------------------------------------------- endings

    /** Sends a proxy-generated error and closes; only valid before any response bytes of this exchange. */
    private void fail(HttpResponseStatus status, String text) {
        if (closing) return;
        closing = true;
        dropReplay();
        if (session != null) session.close();
        session = null;
        ctx.channel().config().setAutoRead(false);
        ctx.writeAndFlush(ProxyErrors.response(ctx.alloc(), status, text)).addListener(ChannelFutureListener.CLOSE);
    }

    private void abortClient() {
        closing = true;
        dropReplay();
        if (session != null) session.close();
        session = null;
        ctx.close();
    }

    private void dropReplay() {
        if (current != null) current.replay.drop("connection closing");
    }
}
