package dev.wanx.crypto;

import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.InvalidAlgorithmParameterException;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES-256-GCM for one direction of a session, through the JDK's Cipher (AES-NI/CLMUL intrinsics). The 96-bit
 * nonce is 4 zero bytes then the 64-bit counter big-endian, as in Noise's AESGCM cipher.
 *
 * <p>Buffers: {@code aad} (may be null) and the input are read from their readable bytes and are <b>not
 * consumed</b> (reader indices stay put, so a header used as AAD can stay in the packet); the result is appended
 * at {@code out}'s writer index. Heap, direct and composite buffers all work; a single-component {@code out}
 * is written in place through its nio view, with no copy. {@code out} must not share memory with the inputs.
 *
 * <p>Not thread-safe: one instance per direction, used from one event loop. Counters are 0..2^63-1.
 */
public final class Aead {
    public static final int TAG_LENGTH = 16;
    public static final int KEY_LENGTH = 32;
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

    private final SecretKeySpec key;
    private final Cipher cipher;
    private final byte[] iv = new byte[12];
    private long lastSealed = -1;

    public Aead(byte[] key) {
        if (key == null || key.length != KEY_LENGTH) throw new IllegalArgumentException("AES-256-GCM key must be 32 bytes");
        this.key = new SecretKeySpec(key, "AES");
        try {
            this.cipher = Cipher.getInstance("AES/GCM/NoPadding");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM unavailable", e);
        }
    }

    /**
     * Encrypts {@code plaintext} with {@code counter}; appends ciphertext and the 16-byte tag to {@code out}.
     * Counters must strictly increase from one seal to the next: a reused GCM nonce would leak the key stream
     * and the authentication key, so reuse is refused with {@link IllegalStateException} rather than trusted.
     */
    public void seal(long counter, ByteBuf aad, ByteBuf plaintext, ByteBuf out) {
        if (counter < 0) throw new IllegalArgumentException("counter out of range: " + counter);
        if (counter <= lastSealed) throw new IllegalStateException("nonce reuse: counter " + counter + " after " + lastSealed);
        int len = plaintext.readableBytes();
        out.ensureWritable(len + TAG_LENGTH); // first: growing out could move memory an aad slice of out points to
        try {
            init(Cipher.ENCRYPT_MODE, counter);
            lastSealed = counter;
            addAad(aad);
            run(plaintext.nioBuffers(plaintext.readerIndex(), len), out, len + TAG_LENGTH);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM seal failed", e); // programming error (e.g. short buffer), not input
        }
    }

    /**
     * Decrypts and authenticates; on success appends the plaintext to {@code out} and returns true. Returns false,
     * leaving {@code out}'s indices unchanged, for a forged, corrupted, truncated or wrongly-countered message.
     */
    public boolean open(long counter, ByteBuf aad, ByteBuf ciphertextAndTag, ByteBuf out) {
        int len = ciphertextAndTag.readableBytes();
        if (counter < 0 || len < TAG_LENGTH) return false;
        out.ensureWritable(len - TAG_LENGTH);
        try {
            init(Cipher.DECRYPT_MODE, counter);
            addAad(aad);
            run(ciphertextAndTag.nioBuffers(ciphertextAndTag.readerIndex(), len), out, len - TAG_LENGTH);
            return true;
        } catch (AEADBadTagException e) {
            return false;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM open failed", e);
        }
    }

    private void init(int mode, long counter) throws GeneralSecurityException {
        for (int i = 0; i < 8; i++) iv[4 + i] = (byte) (counter >>> (56 - 8 * i));
        try {
            cipher.init(mode, key, new GCMParameterSpec(TAG_LENGTH * 8, iv));
        } catch (InvalidAlgorithmParameterException e) {
            // The JDK also refuses an encryption with the previous key and IV; treat it like our own check.
            throw new IllegalStateException("AES-GCM init refused: " + e.getMessage(), e);
        }
    }

    private void addAad(ByteBuf aad) {
        if (aad == null || !aad.isReadable()) return;
        for (ByteBuffer b : aad.nioBuffers(aad.readerIndex(), aad.readableBytes())) cipher.updateAAD(b);
    }

    /** Feeds every input component through the cipher and writes exactly {@code outLen} bytes to {@code out}. */
    private void run(ByteBuffer[] in, ByteBuf out, int outLen) throws GeneralSecurityException {
        int wi = out.writerIndex();
        if (out.nioBufferCount() == 1) {
            ByteBuffer dst = out.nioBuffer(wi, outLen);
            int n = 0;
            for (int i = 0; i < in.length - 1; i++) n += cipher.update(in[i], dst);
            n += cipher.doFinal(in.length == 0 ? EMPTY.duplicate() : in[in.length - 1], dst);
            out.writerIndex(wi + n);
        } else {
            // Composite out: gather into one array; rare (carriers write into a single pooled buffer).
            ByteBuffer dst = ByteBuffer.allocate(outLen);
            for (int i = 0; i < in.length - 1; i++) cipher.update(in[i], dst);
            cipher.doFinal(in.length == 0 ? EMPTY.duplicate() : in[in.length - 1], dst);
            dst.flip();
            out.writeBytes(dst);
        }
    }
}
