package dev.wanx.transport;

import java.util.Locale;

/** The application protocol a stream carries, so plugins can pick it up. Wire code = ordinal-stable {@link #code}. */
public enum Hint {
    RAW(0), HTTP(1), SMB(2), IMAP(3);

    public final int code;

    Hint(int code) { this.code = code; }

    public static Hint fromCode(int code) {
        for (Hint h : values()) if (h.code == code) return h;
        return RAW; // unknown hints from a newer peer degrade to raw bytes
    }

    public static Hint parse(String s) {
        try {
            return valueOf(s.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown protocol hint '" + s + "' (expected raw, http, smb or imap)");
        }
    }
}
