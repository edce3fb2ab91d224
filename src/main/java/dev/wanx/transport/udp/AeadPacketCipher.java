package dev.wanx.transport.udp;

import dev.wanx.crypto.Aead;
import io.netty.buffer.ByteBuf;

/** {@link PacketCipher} over the crypto package's AES-256-GCM (which also refuses a reused nonce). */
public final class AeadPacketCipher implements PacketCipher {
    private final Aead aead;

    public AeadPacketCipher(byte[] key) { this.aead = new Aead(key); }

    @Override
    public void seal(long counter, ByteBuf aad, ByteBuf plaintext, ByteBuf out) { aead.seal(counter, aad, plaintext, out); }

    @Override
    public boolean open(long counter, ByteBuf aad, ByteBuf ciphertext, ByteBuf out) { return aead.open(counter, aad, ciphertext, out); }
}
