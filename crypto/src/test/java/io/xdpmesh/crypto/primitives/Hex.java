package io.xdpmesh.crypto.primitives;

import java.util.HexFormat;

final class Hex {
    private Hex() {}

    static byte[] b(String hex) {
        return HexFormat.of().parseHex(hex.replace(" ", ""));
    }

    static String s(byte[] b) {
        return HexFormat.of().formatHex(b);
    }

    static byte[] seq(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) i;
        }
        return b;
    }
}
