package io.xdpmesh.xdp.bpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/** The Java copies of the program's layout match the header shipped next to the object. */
class XdpLayoutTest {
    private static String header() throws Exception {
        try (InputStream in = XdpLayoutTest.class.getResourceAsStream("/io/xdpmesh/native/xdpmesh.h")) {
            assertNotNull(in, "xdpmesh.h is shipped with the object");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void countersMatchEnumXmCounter() throws Exception {
        String h = header();
        String body = h.substring(h.indexOf("enum xm_counter {"), h.indexOf("XM_C_MAX"));
        List<String> names = new ArrayList<>();
        Matcher m = Pattern.compile("XM_C_([A-Z_]+)").matcher(body);
        while (m.find()) {
            names.add(m.group(1));
        }
        List<String> java = new ArrayList<>();
        for (XdpCounter c : XdpCounter.values()) {
            java.add(c.name());
        }
        assertEquals(names, java);
    }

    @Test
    void constantsMatch() throws Exception {
        String h = header();
        assertTrue(h.contains("#define XM_MAX_QUEUES " + XskMap.MAX_QUEUES + " "), "XM_MAX_QUEUES");
        assertTrue(h.contains("#define XM_DEFAULT_TUNNEL_PORT " + XdpConfig.DEFAULT_TUNNEL_PORT), "port");
        assertTrue(h.contains("#define XM_F_UPLINK_PASS_NO_SOCKET (1u << 0)")
                && XdpConfig.F_UPLINK_PASS_NO_SOCKET == 1, "flag");
    }

    @Test
    void objectIsAnEbpfElfWithBothPrograms() {
        byte[] o = BpfObjectLoader.objectBytes();
        assertEquals(0x7f, o[0]);
        assertEquals('E', o[1]);
        assertEquals(247, o[18] & 0xff, "e_machine EM_BPF");
        String s = new String(o, StandardCharsets.ISO_8859_1);
        for (XdpRole r : XdpRole.values()) {
            assertTrue(s.contains(r.programName() + "\0"), r.programName());
        }
        assertTrue(s.contains("xdp.frags"), "frags-aware sections");
    }
}
