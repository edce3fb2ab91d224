package dev.wanx.transport.udp;

import io.netty.buffer.ByteBuf;

/**
 * AEAD used per packet: the packet number is the nonce counter, the clear header is the associated data.
 * A seam so tests and benchmarks can swap the cipher; production uses {@link AeadPacketCipher}.
 */
public interface PacketCipher {
    /** Appends ciphertext and tag of {@code plaintext}'s readable bytes to {@code out}. */
    void seal(long counter, ByteBuf aad, ByteBuf plaintext, ByteBuf out);

    /** Appends the plaintext to {@code out}; false (out unchanged in length) if authentication fails. */
    boolean open(long counter, ByteBuf aad, ByteBuf ciphertext, ByteBuf out);

    int TAG = 16;
}
