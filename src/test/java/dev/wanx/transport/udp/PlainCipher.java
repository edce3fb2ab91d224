package dev.wanx.transport.udp;

import io.netty.buffer.ByteBuf;

/** Test-only "cipher": copies the plaintext and appends a 16-byte tag holding the counter; lets simulations run fast. */
final class PlainCipher implements PacketCipher {
    @Override
    public void seal(long counter, ByteBuf aad, ByteBuf plaintext, ByteBuf out) {
        out.writeBytes(plaintext, plaintext.readerIndex(), plaintext.readableBytes());
        out.writeLong(counter);
        out.writeLong(~counter);
    }

    @Override
    public boolean open(long counter, ByteBuf aad, ByteBuf ciphertext, ByteBuf out) {
        int n = ciphertext.readableBytes() - TAG;
        if (n < 0 || ciphertext.getLong(ciphertext.readerIndex() + n) != counter) {
            return false;
        }
        out.writeBytes(ciphertext, ciphertext.readerIndex(), n);
        return true;
    }
}
