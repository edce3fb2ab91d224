package dev.wanx.reduce;

import java.util.List;

/**
 * Cheap content classification at stream start and per literal group: TLS record headers, signatures of
 * already-compressed formats, and a byte-histogram entropy estimate (no repeats + near 8 bits/byte = encrypted).
 */
final class ContentSniffer {
    private ContentSniffer() { }

    /** A TLS record header: handshake (0x16) or application data (0x17), version 3.x, plausible length. */
    static boolean looksLikeTls(byte[] b, int len) {
        if (len < 5) return false;
        int type = b[0] & 0xff;
        int recLen = ((b[3] & 0xff) << 8) | (b[4] & 0xff);
        return (type == 0x16 || type == 0x17 || type == 0x14 || type == 0x15) && b[1] == 3 && (b[2] & 0xff) <= 4
                && recLen > 0 && recLen <= 18432;
    }

    private static final byte[][] MAGICS = {
            {'P', 'K', 3, 4}, {0x1f, (byte) 0x8b, 8}, {0x28, (byte) 0xb5, 0x2f, (byte) 0xfd},
            {(byte) 0xfd, '7', 'z', 'X', 'Z', 0}, {'7', 'z', (byte) 0xbc, (byte) 0xaf}, {'R', 'a', 'r', '!'},
            {(byte) 0xff, (byte) 0xd8, (byte) 0xff}, {(byte) 0x89, 'P', 'N', 'G'}, {'f', 't', 'y', 'p'},
            {'B', 'Z', 'h'}};

    /**
     * A compressed-format signature at the start or right after an HTTP/MIME header block within the first
     * {@code len} bytes (a fetched object usually follows headers).
     */
    static boolean looksCompressed(byte[] b, int len) {
        if (startsWithMagic(b, 0, len)) return true;
        if (len > 8 && startsWithMagic(b, 4, len)) return true; // MP4: size then 'ftyp'
        for (int i = 0; i + 4 <= len; i++) {
            if (b[i] == '\r' && b[i + 1] == '\n' && b[i + 2] == '\r' && b[i + 3] == '\n') {
                return startsWithMagic(b, i + 4, len);
            }
        }
        return false;
    }

    private static boolean startsWithMagic(byte[] b, int at, int len) {
        outer:
        for (byte[] m : MAGICS) {
            if (at + m.length > len) continue;
            for (int i = 0; i < m.length; i++) if (b[at + i] != m[i]) continue outer;
            return true;
        }
        return false;
    }

    /**
     * Shannon entropy in bits per byte over up to 4096 evenly spaced samples of {@code len} bytes: the
     * concatenation of {@code parts[from, to)} without the first {@code skip} bytes (no need to join them first).
     */
    static double entropy(List<byte[]> parts, int from, int to, int skip, int len) {
        if (len <= 0) return 0;
        int[] h = new int[256];
        int step = Math.max(1, len / 4096);
        int n = 0;
        int pos = skip; // the next sample's index within the current part
        for (int k = from; k < to; k++) {
            byte[] c = parts.get(k);
            for (; pos < c.length; pos += step, n++) h[c[pos] & 0xff]++;
            pos -= c.length;
        }
        double e = 0;
        for (int c : h) {
            if (c == 0) continue;
            double p = (double) c / n;
            e -= p * Math.log(p);
        }
        return e / Math.log(2);
    }

    /** Entropy above this (on a 4096-byte sample, random data scores ~7.95) means zstd is not worth trying. */
    static final double HIGH_ENTROPY = 7.6;
}
