package dev.wanx.transport.udp;

/**
 * Arithmetic in GF(2^8) (polynomial x^8 + x^4 + x^3 + x^2 + 1, 0x11d, generator 2) for the parity rows of
 * {@link Fec}: addition is XOR; multiplication goes through one 64 KiB product table, so a row update is a table
 * look-up and an XOR per byte.
 */
final class Gf256 {
    private static final byte[] EXP = new byte[512];
    private static final int[] LOG = new int[256];
    /** MUL[a][b] = a·b. */
    private static final byte[][] MUL = new byte[256][256];

    static {
        int x = 1;
        for (int i = 0; i < 255; i++) {
            EXP[i] = (byte) x;
            LOG[x] = i;
            x <<= 1;
            if (x >= 256) x ^= 0x11d;
        }
        for (int i = 255; i < 512; i++) EXP[i] = EXP[i - 255];
        for (int a = 1; a < 256; a++) {
            for (int b = 1; b < 256; b++) MUL[a][b] = EXP[LOG[a] + LOG[b]];
        }
    }

    private Gf256() { }

    static int mul(int a, int b) { return MUL[a & 0xff][b & 0xff] & 0xff; }

    static int inv(int a) {
        if (a == 0) throw new ArithmeticException("0 has no inverse in GF(256)");
        return EXP[255 - LOG[a]] & 0xff;
    }

    /** 2^e (e ≥ 0). */
    static int pow2(int e) { return EXP[e % 255] & 0xff; }

    /**
     * Parity row {@code row}'s coefficient for the group's datagram {@code index}: 2^(row·index). Row 0 is all ones
     * (plain XOR). Among rows 0-2 any square choice of rows and distinct indexes below 255 is invertible
     * (Vandermonde, or a 2×2 minor x·y·(x+y) ≠ 0), so m parities rebuild any m missing datagrams; so do rows
     * 0..m-1 for any m (Vandermonde). Other choices among wider rows can be singular: the receiver picks.
     */
    static int coef(int row, int index) { return pow2(row * index); }

    /** acc[i] ^= c·src[i] for i < len. */
    static void mulAdd(byte[] acc, byte[] src, int len, int c) {
        if (c == 0) return;
        if (c == 1) {
            for (int i = 0; i < len; i++) acc[i] ^= src[i];
            return;
        }
        byte[] t = MUL[c];
        for (int i = 0; i < len; i++) acc[i] ^= t[src[i] & 0xff];
    }

    /** Inverts the n×n matrix m in place (Gauss–Jordan); false if it is singular. */
    static boolean invert(int[][] m, int n) {
        int[][] inv = new int[n][n];
        for (int i = 0; i < n; i++) inv[i][i] = 1;
        for (int col = 0; col < n; col++) {
            int p = col;
            while (p < n && m[p][col] == 0) p++;
            if (p == n) return false;
            int[] t = m[p]; m[p] = m[col]; m[col] = t;
            t = inv[p]; inv[p] = inv[col]; inv[col] = t;
            int f = inv(m[col][col]);
            for (int j = 0; j < n; j++) {
                m[col][j] = mul(m[col][j], f);
                inv[col][j] = mul(inv[col][j], f);
            }
            for (int r = 0; r < n; r++) {
                if (r == col || m[r][col] == 0) continue;
                int g = m[r][col];
                for (int j = 0; j < n; j++) {
                    m[r][j] ^= mul(g, m[col][j]);
                    inv[r][j] ^= mul(g, inv[col][j]);
                }
            }
        }
        for (int i = 0; i < n; i++) System.arraycopy(inv[i], 0, m[i], 0, n);
        return true;
    }
}
