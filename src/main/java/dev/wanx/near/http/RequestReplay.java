package dev.wanx.near.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.Set;

/**
 * A copy of one plain-HTTP request, kept until its response starts, so that it can be sent once more if the tunnel
 * carrying it went down (the session closed: its streams end with {@code TUNNEL_DOWN}) before the origin's answer
 * reached the client. Only what is safe and cheap to repeat is kept: an idempotent method (RFC 9110 §9.2.2) with a
 * complete body of at most {@link #MAX_BODY} bytes. Anything else records why not, for the 502 the client gets.
 *
 * <p>One retry at most: it covers the failover this exists for (the near rebinds to another far or goes direct,
 * which cannot lose a tunnel). A second loss means a flapping path, where more attempts would only multiply the
 * origin's work and delay the client's answer. Confined to the client's event loop.
 */
final class RequestReplay {
    /** Largest request body kept for a retry; a bigger one is not copied at all. */
    static final int MAX_BODY = 64 * 1024;
    private static final Set<HttpMethod> IDEMPOTENT = Set.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.OPTIONS,
            HttpMethod.TRACE, HttpMethod.PUT, HttpMethod.DELETE);

    final ProxyTarget target;
    final String url;
    private final HttpRequest head;     // null when not kept
    private ByteBuf body;               // copied body bytes, null until some arrive or once released
    private HttpHeaders trailers;
    private boolean complete;
    private String refusal;             // why this request cannot be retried; null while it can

    /** @param out the rewritten request head as it goes upstream (copied; the caller keeps ownership) */
    RequestReplay(HttpRequest out, ProxyTarget target, String url) {
        this.target = target;
        this.url = url;
        if (IDEMPOTENT.contains(out.method())) {
            head = new DefaultHttpRequest(out.protocolVersion(), out.method(), out.uri(), out.headers().copy());
        } else {
            head = null;
            refusal = out.method() + " is not idempotent";
        }
        if (out instanceof LastHttpContent) complete = true;
    }

    HttpMethod method() { return head == null ? null : head.method(); }

    /** Copies a body part before it is sent on (the caller keeps ownership of {@code c}). */
    void content(HttpContent c, ByteBufAllocator alloc) {
        if (c instanceof LastHttpContent last) {
            complete = true;
            if (refusal == null && !last.trailingHeaders().isEmpty()) trailers = last.trailingHeaders().copy();
        }
        if (refusal != null) return;
        ByteBuf in = c.content();
        int n = in.readableBytes();
        if (n == 0) return;
        int have = body == null ? 0 : body.readableBytes();
        if (have + n > MAX_BODY) {
            drop("request body over " + MAX_BODY / 1024 + " KiB is not kept");
            return;
        }
        if (body == null) body = alloc.buffer(Math.min(n, MAX_BODY), MAX_BODY);
        body.writeBytes(in, in.readerIndex(), n);
    }

    /** Null if the request may be sent again now, else why not (a short phrase). */
    String whyNot() {
        if (refusal != null) return refusal;
        return complete ? null : "request body was not complete";
    }

    /**
     * Sends the copy into a fresh upstream (ownership of the buffers passes to it) and spends this replay: a
     * second loss finds nothing to send.
     */
    void replayInto(UpstreamSession s) {
        if (whyNot() != null) throw new IllegalStateException(whyNot());
        s.send(head);
        if (body != null) s.send(new DefaultHttpContent(body));
        body = null;
        LastHttpContent end = new DefaultLastHttpContent();
        if (trailers != null) end.trailingHeaders().set(trailers);
        s.send(end);
        refusal = "already retried once";
    }

    /** Frees the copy once it cannot be needed (response started, exchange over); later calls do nothing. */
    void drop(String why) {
        if (body != null) body.release();
        body = null;
        trailers = null;
        if (refusal == null) refusal = why;
    }
}
