package dev.wanx.crypto;

import java.security.SecureRandom;

/** A "SecureRandom" that hands out fixed bytes, for test vectors that pin the ephemeral keys. */
final class FixedRandom extends SecureRandom {
    private static final long serialVersionUID = 1L;
    private final byte[] bytes;
    private int pos;

    FixedRandom(byte[] bytes) {
        this.bytes = bytes.clone();
    }

    @Override public void nextBytes(byte[] out) {
        if (pos + out.length > bytes.length) throw new IllegalStateException("FixedRandom exhausted");
        System.arraycopy(bytes, pos, out, 0, out.length);
        pos += out.length;
    }
}
