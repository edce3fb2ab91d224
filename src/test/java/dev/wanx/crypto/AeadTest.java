package dev.wanx.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AeadTest {
    private final Random random = new Random(42);
    private final List<ByteBuf> bufs = new ArrayList<>();
    private final byte[] key = bytes(32);

    @AfterEach void releaseAll() {
        for (ByteBuf b : bufs) if (b.refCnt() > 0) b.release();
    }

    private byte[] bytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    private <T extends ByteBuf> T track(T b) {
        bufs.add(b);
        return b;
    }

    private ByteBuf buf(ByteBufAllocator alloc, boolean direct, byte[] content) {
        ByteBuf b = track(direct ? alloc.directBuffer(content.length) : alloc.heapBuffer(content.length));
        b.writeBytes(content);
        return b;
    }

    @Test void roundTripAcrossBufferKinds() {
        ByteBufAllocator[] allocs = {PooledByteBufAllocator.DEFAULT, io.netty.buffer.UnpooledByteBufAllocator.DEFAULT};
        for (ByteBufAllocator alloc : allocs) {
            for (boolean direct : new boolean[] {false, true}) {
                for (int size : new int[] {0, 1, 15, 16, 17, 1200, 16384}) {
                    Aead sender = new Aead(key);
                    Aead receiver = new Aead(key);
                    byte[] pt = bytes(size);
                    byte[] header = bytes(13);
                    ByteBuf aad = buf(alloc, direct, header);
                    ByteBuf plain = buf(alloc, direct, pt);
                    ByteBuf sealed = track(direct ? alloc.directBuffer(4) : alloc.heapBuffer(4)); // forces growth
                    sender.seal(7, aad, plain, sealed);
                    assertEquals(size + Aead.TAG_LENGTH, sealed.readableBytes());
                    assertEquals(13, aad.readableBytes(), "aad not consumed");
                    assertEquals(size, plain.readableBytes(), "plaintext not consumed");
                    ByteBuf opened = track(direct ? alloc.heapBuffer() : alloc.directBuffer());
                    assertTrue(receiver.open(7, aad, sealed, opened), alloc + " direct=" + direct + " size=" + size);
                    assertArrayEquals(pt, ByteBufUtil.getBytes(opened));
                    assertEquals(size + Aead.TAG_LENGTH, sealed.readableBytes(), "ciphertext not consumed");
                }
            }
        }
    }

    @Test void appendsAfterExistingBytesAndHeaderInSameBufferCanBeAad() {
        Aead sender = new Aead(key);
        Aead receiver = new Aead(key);
        ByteBuf packet = track(Unpooled.directBuffer(8));
        packet.writeLong(0x1122334455667788L); // header, authenticated but not encrypted
        ByteBuf plain = track(Unpooled.wrappedBuffer(bytes(100)));
        sender.seal(1, packet.slice(0, 8), plain, packet); // grows packet: must not corrupt the aad view
        assertEquals(8 + 100 + 16, packet.readableBytes());
        ByteBuf out = track(Unpooled.buffer());
        assertTrue(receiver.open(1, packet.slice(0, 8), packet.slice(8, 116), out));
        ByteBuf forgedHeader = track(Unpooled.buffer().writeLong(0x1122334455667789L));
        ByteBuf out2 = track(Unpooled.buffer());
        assertFalse(receiver.open(1, forgedHeader, packet.slice(8, 116), out2));
    }

    @Test void compositeBuffersWork() {
        Aead sender = new Aead(key);
        Aead receiver = new Aead(key);
        byte[] a = bytes(700);
        byte[] b = bytes(500);
        CompositeByteBuf plain = track(Unpooled.compositeBuffer());
        plain.addComponent(true, Unpooled.wrappedBuffer(a));
        plain.addComponent(true, Unpooled.directBuffer().writeBytes(b));
        CompositeByteBuf aad = track(Unpooled.compositeBuffer());
        aad.addComponent(true, Unpooled.wrappedBuffer(new byte[] {1, 2}));
        aad.addComponent(true, Unpooled.wrappedBuffer(new byte[] {3}));
        CompositeByteBuf sealed = track(Unpooled.compositeBuffer());
        sealed.addComponent(true, Unpooled.wrappedBuffer(new byte[] {9}));
        sealed.addComponent(true, Unpooled.buffer(4));
        sender.seal(0, aad, plain, sealed);
        sealed.skipBytes(1);
        ByteBuf out = track(Unpooled.buffer());
        assertTrue(receiver.open(0, track(Unpooled.wrappedBuffer(new byte[] {1, 2, 3})), sealed, out));
        byte[] expected = new byte[1200];
        System.arraycopy(a, 0, expected, 0, 700);
        System.arraycopy(b, 0, expected, 700, 500);
        assertArrayEquals(expected, ByteBufUtil.getBytes(out));
    }

    @Test void anyTamperingFailsWithoutOutput() {
        Aead sender = new Aead(key);
        byte[] pt = bytes(64);
        ByteBuf sealed = track(Unpooled.buffer());
        sender.seal(5, null, track(Unpooled.wrappedBuffer(pt)), sealed);
        byte[] ct = ByteBufUtil.getBytes(sealed);
        Aead receiver = new Aead(key);
        for (int i = 0; i < ct.length; i++) {
            byte[] bad = ct.clone();
            bad[i] ^= 0x04;
            ByteBuf out = track(Unpooled.buffer());
            out.writeByte(0x55);
            assertFalse(receiver.open(5, null, track(Unpooled.wrappedBuffer(bad)), out), "byte " + i);
            assertEquals(1, out.writerIndex(), "nothing appended on failure");
        }
        ByteBuf out = track(Unpooled.buffer());
        assertFalse(receiver.open(6, null, sealed, out), "wrong counter");
        assertFalse(receiver.open(5, track(Unpooled.wrappedBuffer(new byte[] {0})), sealed, out), "unexpected aad");
        assertFalse(new Aead(bytes(32)).open(5, null, sealed, out), "wrong key");
        assertFalse(receiver.open(5, null, track(Unpooled.wrappedBuffer(new byte[15])), out), "shorter than a tag");
        assertFalse(receiver.open(-1, null, sealed, out), "negative counter");
        assertFalse(receiver.open(5, null, sealed.slice(0, 16), out), "truncated");
        assertTrue(receiver.open(5, null, sealed, out), "and the genuine one still opens");
        assertArrayEquals(pt, ByteBufUtil.getBytes(out));
    }

    /** Bouncy Castle's GCM is an independent implementation: same key, nonce layout and AAD must give same bytes. */
    @Test void matchesBouncyCastleGcmWithNoiseNonceLayout() throws Exception {
        Aead aead = new Aead(key);
        long[] counters = {0, 1, 255, 256, 65_537, 1L << 32, (1L << 62) + 12345};
        for (long counter : counters) {
            byte[] aad = bytes(random.nextInt(40));
            byte[] pt = bytes(random.nextInt(3000));
            ByteBuf out = track(Unpooled.buffer());
            aead.seal(counter, track(Unpooled.wrappedBuffer(aad)), track(Unpooled.wrappedBuffer(pt)), out);

            byte[] nonce = new byte[12];
            java.nio.ByteBuffer.wrap(nonce, 4, 8).putLong(counter);
            org.bouncycastle.crypto.modes.GCMModeCipher bc =
                    org.bouncycastle.crypto.modes.GCMBlockCipher.newInstance(org.bouncycastle.crypto.engines.AESEngine.newInstance());
            bc.init(true, new org.bouncycastle.crypto.params.AEADParameters(
                    new org.bouncycastle.crypto.params.KeyParameter(key), 128, nonce, aad));
            byte[] expected = new byte[bc.getOutputSize(pt.length)];
            int n = bc.processBytes(pt, 0, pt.length, expected, 0);
            bc.doFinal(expected, n);
            assertArrayEquals(expected, ByteBufUtil.getBytes(out), "counter " + counter);
        }
    }

    @Test void nonceReuseIsRefused() {
        Aead sender = new Aead(key);
        ByteBuf out = track(Unpooled.buffer());
        ByteBuf pt = track(Unpooled.wrappedBuffer(bytes(10)));
        sender.seal(3, null, pt, out);
        assertThrows(IllegalStateException.class, () -> sender.seal(3, null, pt, out));
        assertThrows(IllegalStateException.class, () -> sender.seal(2, null, pt, out));
        assertThrows(IllegalArgumentException.class, () -> sender.seal(-1, null, pt, out));
        sender.seal(4, null, pt, out);
        assertThrows(IllegalArgumentException.class, () -> new Aead(new byte[16]));
    }

    @Test void decryptionMayReuseCounters() {
        // Opening is idempotent: the replay window, not the cipher, decides whether a counter is fresh.
        Aead sender = new Aead(key);
        Aead receiver = new Aead(key);
        ByteBuf sealed = track(Unpooled.buffer());
        sender.seal(9, null, track(Unpooled.wrappedBuffer(bytes(10))), sealed);
        assertTrue(receiver.open(9, null, sealed, track(Unpooled.buffer())));
        assertTrue(receiver.open(9, null, sealed, track(Unpooled.buffer())));
    }
}
