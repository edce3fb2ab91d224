package dev.wanx.transport;

/** Why a destination could not be reached; travels in RESET frames and maps to HTTP and SOCKS replies. */
public enum DialError {
    GENERAL(1), REFUSED(2), UNREACHABLE(3), TIMEOUT(4), DENIED(5), TUNNEL_DOWN(6), UNKNOWN_HOST(7);

    public final int code;

    DialError(int code) { this.code = code; }

    public static DialError fromCode(int code) {
        for (DialError e : values()) if (e.code == code) return e;
        return GENERAL;
    }
}
