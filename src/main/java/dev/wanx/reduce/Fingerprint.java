package dev.wanx.reduce;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * A chunk's identity: SHA-256 truncated to {@value #SIZE} bytes (160 bits). A cryptographic hash, so nobody can
 * craft a collision to poison another user's data; 160 bits keeps the birthday bound (2^80) far beyond any
 * dictionary while saving 12 bytes per reference over the full digest. Immutable; usable as a map key.
 */
public final class Fingerprint {
    public static final int SIZE = 20;

    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256"); // JDK intrinsic (SHA-NI / ARMv8 SHA) where available
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    });

    private final byte[] bytes;
    private final int hash;

    private Fingerprint(byte[] bytes) {
        this.bytes = bytes;
        this.hash = Arrays.hashCode(bytes);
    }

    public static Fingerprint of(byte[] data) {
        return of(data, 0, data.length);
    }

    public static Fingerprint of(byte[] data, int off, int len) {
        MessageDigest md = SHA256.get();
        md.update(data, off, len);
        return new Fingerprint(Arrays.copyOf(md.digest(), SIZE));
    }

    /** Wraps {@value #SIZE} bytes read from the wire or the dictionary (copied). */
    public static Fingerprint wrap(byte[] src, int off) {
        return new Fingerprint(Arrays.copyOfRange(src, off, off + SIZE));
    }

    /** True if {@code data} hashes to this fingerprint: the check before any byte is delivered. */
    public boolean matches(byte[] data) {
        return data != null && equals(of(data));
    }

    public byte[] bytes() {
        return bytes.clone();
    }

    void copyTo(byte[] dst, int off) {
        System.arraycopy(bytes, 0, dst, off, SIZE);
    }

    @Override public boolean equals(Object o) {
        return o instanceof Fingerprint f && f.hash == hash && Arrays.equals(f.bytes, bytes);
    }

    @Override public int hashCode() {
        return hash;
    }

    @Override public String toString() {
        return HexFormat.of().formatHex(bytes, 0, 6);
    }
}
