package io.xdpmesh.crypto.tls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class ExporterKeyScheduleTest {
    @Test
    void contextEncodingIsFixed() {
        SessionBinding b = new SessionBinding("spiffe://a", "spiffe://bb", 0x01020304, 0xA0B0C0D0, 7);
        assertEquals("000a" + hex("spiffe://a") + "000b" + hex("spiffe://bb")
                        + "01020304" + "a0b0c0d0" + "0000000000000007",
                HexFormat.of().formatHex(b.exporterContext()));
        assertEquals(0x01020304, b.localIndex(true));
        assertEquals(0xA0B0C0D0, b.remoteIndex(true));
        assertEquals(0xA0B0C0D0, b.localIndex(false));
        assertThrows(IllegalArgumentException.class, () -> new SessionBinding("a", "b", 0, 1, 0));
    }

    private static String hex(String s) {
        return HexFormat.of().formatHex(s.getBytes(StandardCharsets.UTF_8));
    }

    /** HKDF-Expand for one block is HMAC(secret, info || 0x01): check against a raw HMAC. */
    @Test
    void deriveIsHkdfExpandWithTwoLabels() throws Exception {
        byte[] secret = new byte[32];
        Arrays.fill(secret, (byte) 0x42);
        DirectionalKeys keys = ExporterKeySchedule.derive(secret);
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret, "HmacSHA256"));
        mac.update("xdpmesh wireguard i2r".getBytes(StandardCharsets.US_ASCII));
        mac.update((byte) 1);
        assertArrayEquals(mac.doFinal(), keys.initiatorToResponder());
        mac.update("xdpmesh wireguard r2i".getBytes(StandardCharsets.US_ASCII));
        mac.update((byte) 1);
        assertArrayEquals(mac.doFinal(), keys.responderToInitiator());
        assertArrayEquals(keys.initiatorToResponder(), keys.sendKey(true));
        assertArrayEquals(keys.initiatorToResponder(), keys.receiveKey(false));
        assertFalse(Arrays.equals(keys.initiatorToResponder(), keys.responderToInitiator()));
        keys.destroy();
        assertArrayEquals(new byte[32], keys.initiatorToResponder());
        assertThrows(IllegalArgumentException.class, () -> ExporterKeySchedule.derive(new byte[16]));
    }
}
