package dev.wanx.transport.udp;

import io.netty.buffer.ByteBuf;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;

/**
 * AES-256-GCM through the JDK (hardware accelerated on x86/ARM). Nonce = 4 zero bytes ‖ 64-bit big-endian
 * counter, as in Noise, so a packet number is never reused as a nonce under one key.
 * One instance per direction; not thread-safe.
 */
public final class JdkAesGcm implements PacketCipher {
    private final SecretKeySpec key;
    private final Cipher cipher;
    private final byte[] nonce = new byte[12];

    public JdkAesGcm(byte[] key32) {
        try {
            this.key = new SecretKeySpec(key32, "AES");
            this.cipher = Cipher.getInstance("AES/GCM/NoPadding");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM unavailable", e);
        }
    }

    private void init(int mode, long counter, ByteBuf aad) throws GeneralSecurityException {
        for (int i = 0; i < 8; i++) {
            nonce[4 + i] = (byte) (counter >>> (56 - 8 * i));
        }
        cipher.init(mode, key, new GCMParameterSpec(128, nonce));
        cipher.updateAAD(aad.nioBuffer(aad.readerIndex(), aad.readableBytes()));
    }

    @Override
    public void seal(long counter, ByteBuf aad, ByteBuf plaintext, ByteBuf out) {
        int len = plaintext.readableBytes();
        out.ensureWritable(len + TAG);
        try {
            init(Cipher.ENCRYPT_MODE, counter, aad);
            ByteBuffer dst = out.nioBuffer(out.writerIndex(), len + TAG);
            int n = cipher.doFinal(plaintext.nioBuffer(plaintext.readerIndex(), len), dst);
            out.writerIndex(out.writerIndex() + n);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("seal failed", e);
        }
    }

    @Override
    public boolean open(long counter, ByteBuf aad, ByteBuf ciphertext, ByteBuf out) {
        int len = ciphertext.readableBytes();
        if (len < TAG) {
            return false;
        }
        out.ensureWritable(len - TAG);
        try {
            init(Cipher.DECRYPT_MODE, counter, aad);
            ByteBuffer dst = out.nioBuffer(out.writerIndex(), len - TAG);
            int n = cipher.doFinal(ciphertext.nioBuffer(ciphertext.readerIndex(), len), dst);
            out.writerIndex(out.writerIndex() + n);
            return true;
        } catch (AEADBadTagException e) {
            return false;
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }
}
