package io.xdpmesh.crypto.aead;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Function;

/** The implementations under test and small helpers shared by the tests. */
final class Impls {
    private Impls() {
    }

    /** Every fast implementation (the reference JdkPacketAead is not in the list). */
    static List<Function<byte[], PacketAead>> fast() {
        List<Function<byte[], PacketAead>> l = new ArrayList<>();
        l.add(VectorPacketAead::new);
        if (!OpenSslPacketAead.available()) {
            throw new AssertionError("libcrypto must load on this machine: " + OpenSslPacketAead.unavailableReason());
        }
        l.add(OpenSslPacketAead::new);
        l.add(PacketAeads::create);
        return l;
    }

    static byte[] hex(String s) {
        return HexFormat.of().parseHex(s.replaceAll("[^0-9a-fA-F]", ""));
    }
}
