package io.xdpmesh.xdp.bpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import io.xdpmesh.xdp.bpf.BpfErrors.Op;
import io.xdpmesh.xdp.bpf.BpfException.Reason;
import io.xdpmesh.xdp.sys.Capabilities;
import io.xdpmesh.xdp.sys.Errno;
import org.junit.jupiter.api.Test;

/** Error mapping without the kernel. */
class BpfErrorsTest {
    private static final Capabilities NONE = new Capabilities(0);
    private static final Capabilities ROOT = new Capabilities(-1L);

    @Test
    void permissionNamesTheMissingCapabilities() {
        BpfException e = BpfErrors.of(Op.ATTACH, Errno.EPERM, "eth0", NONE, List.of());
        assertEquals(Reason.PERMISSION_DENIED, e.reason());
        assertEquals(Errno.EPERM, e.errno());
        assertTrue(e.getMessage().contains("eth0") && e.getMessage().contains("EPERM"), e.getMessage());
        assertTrue(e.getMessage().contains("lacks CAP_NET_ADMIN, CAP_BPF"), e.getMessage());
        BpfException asRoot = BpfErrors.of(Op.LOAD, Errno.EPERM, "xm_pod", ROOT, List.of());
        assertTrue(asRoot.getMessage().contains("LSM"), asRoot.getMessage());
    }

    @Test
    void attachErrors() {
        assertEquals(Reason.NO_SUCH_INTERFACE, BpfErrors.of(Op.ATTACH, Errno.ENODEV, "x", ROOT, List.of()).reason());
        assertEquals(Reason.FOREIGN_PROGRAM, BpfErrors.of(Op.ATTACH, Errno.EBUSY, "x", ROOT, List.of()).reason());
        assertEquals(Reason.FOREIGN_PROGRAM, BpfErrors.of(Op.ATTACH, Errno.EEXIST, "x", ROOT, List.of()).reason());
        BpfException native_ = BpfErrors.of(Op.ATTACH, Errno.EOPNOTSUPP, "x", ROOT, List.of());
        assertEquals(Reason.MODE_NOT_SUPPORTED, native_.reason());
        assertTrue(native_.getMessage().contains("generic"), native_.getMessage());
        BpfException mtu = BpfErrors.of(Op.ATTACH, Errno.ERANGE, "x", ROOT, List.of());
        assertTrue(mtu.getMessage().contains("MTU"), mtu.getMessage());
        assertEquals(Reason.SYSTEM, BpfErrors.of(Op.ATTACH, Errno.ENOMEM, "x", ROOT, List.of()).reason());
    }

    @Test
    void verifierRejectionQuotesTheLogTail() {
        List<String> log = List.of("0: R1=ctx()", "1: (61) r2 = *(u32 *)(r1 +0)", "invalid access to packet");
        BpfException e = BpfErrors.of(Op.VERIFY, Errno.EACCES, "xm_pod", ROOT, log);
        assertEquals(Reason.VERIFIER_REJECTED, e.reason());
        assertTrue(e.getMessage().contains("verifier") && e.getMessage().contains("invalid access to packet"),
                e.getMessage());
        assertEquals(log, e.log());
        // EACCES from anything but the verifier is a permission problem; EPERM on load too.
        assertEquals(Reason.PERMISSION_DENIED, BpfErrors.of(Op.PIN, Errno.EACCES, "p", ROOT, List.of()).reason());
        assertEquals(Reason.PERMISSION_DENIED, BpfErrors.of(Op.VERIFY, Errno.EPERM, "p", NONE, log).reason());
        assertEquals(Reason.SYSTEM, BpfErrors.of(Op.LOAD, Errno.EINVAL, "p", ROOT, List.of()).reason());
    }

    @Test
    void pinOnNonBpffsExplainsTheMount() {
        BpfException e = BpfErrors.of(Op.PIN, Errno.EINVAL, "/tmp/x/prog", ROOT, List.of());
        assertEquals(Reason.BPFFS_NOT_MOUNTED, e.reason());
        assertTrue(e.getMessage().contains("mount -t bpf bpf") && e.getMessage().contains("ip netns exec"),
                e.getMessage());
    }

    @Test
    void errnoNamesAndUnknowns() {
        assertEquals("EBUSY (Device or resource busy)", Errno.describe(Errno.EBUSY));
        assertEquals("errno 4095 (unknown error)", Errno.describe(4095));
        assertFalse(Errno.text(Errno.ENOTSOCK).isEmpty());
    }

    @Test
    void queueRangeAgainstTheInterfaceAndTheMap() {
        XskMap.checkQueue(0, 1, "eth0");
        XskMap.checkQueue(3, 4, "eth0");
        BpfException e = assertThrows(BpfException.class, () -> XskMap.checkQueue(4, 4, "eth0"));
        assertEquals(Reason.QUEUE_OUT_OF_RANGE, e.reason());
        assertTrue(e.getMessage().contains("eth0 has 4 rx queues (ids 0..3)"), e.getMessage());
        assertThrows(BpfException.class, () -> XskMap.checkQueue(-1, 4, "eth0"));
        XskMap.checkQueue(255, -1, "eth0"); // unknown count: the map size is the limit
        assertThrows(BpfException.class, () -> XskMap.checkQueue(256, -1, "eth0"));
        assertThrows(BpfException.class, () -> XskMap.checkQueue(300, 512, "eth0"));
    }

    @Test
    void configValidationAndAgentNames() {
        assertThrows(IllegalArgumentException.class, () -> new XdpConfig(0, false));
        assertThrows(IllegalArgumentException.class, () -> new XdpConfig(65536, false));
        assertEquals(51871, XdpConfig.DEFAULT.tunnelPort());
        assertThrows(IllegalArgumentException.class, () -> XdpLoader.forAgent("../etc"));
        assertThrows(IllegalArgumentException.class, () -> XdpLoader.forAgent(""));
        assertEquals("/sys/fs/bpf/xdpmesh/node-a", XdpLoader.forAgent("node-a").pinRoot().toString());
    }
}
