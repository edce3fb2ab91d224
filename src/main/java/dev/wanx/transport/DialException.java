package dev.wanx.transport;

import java.io.IOException;

/** A dial that failed for a reason the client should be told (HTTP 502/504, a SOCKS reply code). */
public final class DialException extends IOException {
    private static final long serialVersionUID = 1L;
    private final DialError error;

    public DialException(DialError error, String message) {
        super(message);
        this.error = error;
    }

    public DialException(DialError error, String message, Throwable cause) {
        super(message, cause);
        this.error = error;
    }

    public DialError error() { return error; }
}
