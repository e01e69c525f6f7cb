package io.xdpmesh.xdp.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

/** CapEff parsing and what XDP and AF_XDP need, without the kernel. */
class CapabilitiesTest {

    @Test
    void capabilityParsing() {
        Capabilities c = Capabilities.parseStatus("Name:\tjava\nCapEff:\t0000008000001000\n");
        assertTrue(c.has(Capabilities.CAP_NET_ADMIN) && c.has(Capabilities.CAP_BPF));
        assertTrue(c.missingForXdp().isEmpty());
        Capabilities onlyNet = Capabilities.parseStatus("CapEff:\t0000000000001000\n");
        assertEquals(List.of("CAP_BPF"), onlyNet.missingForXdp());
        Capabilities sysAdmin = Capabilities.parseStatus("CapEff:\t0000000000201000\n");
        assertTrue(sysAdmin.missingForXdp().isEmpty(), "CAP_SYS_ADMIN stands in for CAP_BPF");
        assertThrows(IllegalArgumentException.class, () -> Capabilities.parseStatus("Name: x\n"));
    }

    @Test
    void afXdpNeedsNetRawAndNetAdmin() {
        assertEquals(List.of("CAP_NET_RAW", "CAP_NET_ADMIN"), new Capabilities(0).missingForXsk());
        assertEquals(List.of("CAP_NET_ADMIN"), Capabilities.parseStatus("CapEff:\t0000000000002000\n").missingForXsk());
        assertTrue(new Capabilities(-1L).missingForXsk().isEmpty());
        assertEquals("; this process lacks CAP_NET_RAW, CAP_NET_ADMIN",
                Capabilities.lacking(new Capabilities(0).missingForXsk()));
    }

    @Test
    void errnoTextComesFromLibcWithNamesForOurs() {
        assertEquals("EBUSY (Device or resource busy)", Errno.describe(Errno.EBUSY));
        assertEquals("ENOTSUPP (Operation not supported (kernel ENOTSUPP))", Errno.describe(Errno.ENOTSUPP));
        assertEquals("errno 4095 (unknown error)", Errno.describe(4095));
        ErrnoException e = new ErrnoException("bind(x)", Errno.EPERM, "hint");
        assertEquals("bind(x) failed: EPERM (Operation not permitted): hint", e.getMessage());
    }
}
