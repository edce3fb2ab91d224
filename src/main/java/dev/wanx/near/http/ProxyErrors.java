package dev.wanx.near.http;

import dev.wanx.transport.DialError;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;

/** Error responses the proxy itself generates; all are short text/plain and close the connection. */
final class ProxyErrors {
    private ProxyErrors() { }

    static HttpResponseStatus status(DialError e) {
        return switch (e) {
            case TIMEOUT -> HttpResponseStatus.GATEWAY_TIMEOUT;
            case DENIED -> HttpResponseStatus.FORBIDDEN;
            default -> HttpResponseStatus.BAD_GATEWAY; // REFUSED, UNREACHABLE, UNKNOWN_HOST, GENERAL, TUNNEL_DOWN
        };
    }

    static String reason(DialError e) {
        return switch (e) {
            case REFUSED -> "connection refused";
            case UNREACHABLE -> "host unreachable";
            case UNKNOWN_HOST -> "unknown host";
            case TIMEOUT -> "connection timed out";
            case DENIED -> "destination not allowed";
            case TUNNEL_DOWN -> "tunnel down";
            case GENERAL -> "connection failed";
        };
    }

    static String dialText(String dest, DialError e, String detail) {
        String s = "wanx: cannot reach " + dest + ": " + reason(e);
        return detail == null || detail.isEmpty() ? s + "\n" : s + " (" + detail + ")\n";
    }

    /** The tunnel carrying a request went down before any of its response came back, and it is not sent again. */
    static String tunnelDownText(String dest, String whyNotRetried) {
        return "wanx: tunnel went down before " + dest + " answered; not retried: " + whyNotRetried + "\n";
    }

    static FullHttpResponse response(ByteBufAllocator alloc, HttpResponseStatus status, String text) {
        ByteBuf body = ByteBufUtil.writeUtf8(alloc, text);
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, body);
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
        r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
        r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        return r;
    }

    /** The same response as raw bytes, for when the HTTP codec is already gone (CONNECT). */
    static ByteBuf raw(ByteBufAllocator alloc, HttpResponseStatus status, String text) {
        byte[] body = text.getBytes(StandardCharsets.UTF_8);
        String head = "HTTP/1.1 " + status.code() + " " + status.reasonPhrase() + "\r\n"
                + "Content-Type: text/plain; charset=utf-8\r\n"
                + "Content-Length: " + body.length + "\r\n"
                + "Connection: close\r\n\r\n";
        ByteBuf b = alloc.buffer(head.length() + body.length);
        b.writeCharSequence(head, StandardCharsets.US_ASCII);
        b.writeBytes(body);
        return b;
    }
}
