package dev.wanx.crypto;

import java.util.HexFormat;

/** Test helper. */
final class Hex {
    private Hex() { }

    static byte[] b(String hex) { return HexFormat.of().parseHex(hex); }

    static String s(byte[] bytes) { return HexFormat.of().formatHex(bytes); }
}
