package io.xdpmesh.xdp.bpf;

import io.xdpmesh.xdp.testkit.KernelNet;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Load through the verifier, re-adoption after a restart, foreign programs, clean detach. */
@Tag("kernel")
class AttachLifecycleTest {

    @Test
    void bothRolesLoadAndAttachNativelyAtJumboMtu() throws Exception {
        // 9000 > 3506: only an xdp.frags program attaches natively on veth at this MTU.
        try (KernelNet net = KernelNet.pair(9000, true)) {
            XdpLoader loader = XdpLoader.forAgent(net.bpffs(), "t3");
            net.inA(() -> {
                for (XdpRole role : XdpRole.values()) {
                    XdpAttachment a = loader.attach(net.vethA, role, XdpMode.NATIVE);
                    try {
                        String link = net.linkA();
                        assertTrue(link.contains("prog/xdp id " + a.programId()), link);
                        assertTrue(link.contains("xdp/id:" + a.programId()) || link.contains("xdp "), link);
                        String prog = KernelNet.sh("bpftool prog show id " + a.programId());
                        assertTrue(prog.contains("name " + role.programName()), prog);
                        assertEquals(1, a.xskMap().rxQueues());
                    } finally {
                        a.detach();
                    }
                }
                return null;
            });
        }
    }

    @Test
    void restartedLoaderReadoptsPinnedProgramAndDetachLeavesNothing() throws Exception {
        try (KernelNet net = KernelNet.pair(1500, true)) {
            XdpLoader first = XdpLoader.forAgent(net.bpffs(), "t4");
            XdpAttachment a = net.inA(() -> first.attach(net.vethA, XdpRole.POD));
            int id = a.programId();
            Path dir = a.pinDir();
            a.configure(new XdpConfig(40001, false));
            a.close(); // the process "exits": program stays attached and pinned
            assertTrue(net.linkA().contains("prog/xdp id " + id), net.linkA());
            assertTrue(Files.exists(dir.resolve("prog")));

            KernelNet.Result ping = net.inNs(net.nsB, 10, "ping -c 1 -W 1 " + net.ipA);
            assertNotEquals(0, ping.exit(), "still fail-closed while no agent runs: " + ping.out());

            XdpLoader second = XdpLoader.forAgent(net.bpffs(), "t4");
            XdpAttachment b = net.inA(() -> second.attach(net.vethA, XdpRole.POD));
            try {
                assertTrue(b.adopted());
                assertEquals(id, b.programId());
                assertEquals(new XdpConfig(40001, false), b.config(), "maps survive the restart");
                assertTrue(b.counter(XdpCounter.DROPPED_NO_SOCKET) >= 1, b.counters().toString());

                BpfException wrongRole = assertThrows(BpfException.class,
                        () -> net.inA(() -> second.attach(net.vethA, XdpRole.UPLINK)));
                assertEquals(BpfException.Reason.FOREIGN_PROGRAM, wrongRole.reason());
                assertTrue(wrongRole.getMessage().contains("xm_pod"), wrongRole.getMessage());
                assertTrue(net.linkA().contains("prog/xdp id " + id), "a failed attach changes nothing");
            } finally {
                net.inA(() -> {
                    b.detach();
                    return null;
                });
            }
            assertFalse(net.linkA().contains("prog/xdp"), net.linkA());
            assertFalse(Files.exists(dir), "pins removed");
            assertFalse(KernelNet.sh("bpftool prog show").contains("name xm_pod") && progExists(id),
                    "program freed after detach");
        }
    }

    @Test
    void ourProgramWithLostPinsIsReadoptedByNameAndTag() throws Exception {
        try (KernelNet net = KernelNet.pair(1500, true)) {
            XdpLoader loader = XdpLoader.forAgent(net.bpffs(), "t5");
            XdpAttachment a = net.inA(() -> loader.attach(net.vethA, XdpRole.UPLINK));
            int id = a.programId();
            a.close();
            XdpAttachment.unpin(a.pinDir()); // e.g. the bpffs was remounted
            XdpAttachment b = net.inA(() -> loader.attach(net.vethA, XdpRole.UPLINK));
            try {
                assertTrue(b.adopted());
                assertEquals(id, b.programId());
                assertTrue(Files.exists(b.pinDir().resolve("xm_xsks")), "pinned again");
            } finally {
                net.inA(() -> {
                    b.detach();
                    return null;
                });
            }
            assertFalse(net.linkA().contains("prog/xdp"), net.linkA());
        }
    }

    @Test
    void adoptExistingFindsOnlyOurAttachedProgram() throws Exception {
        try (KernelNet net = KernelNet.pair(1500, true)) {
            XdpLoader loader = XdpLoader.forAgent(net.bpffs(), "t9");
            assertTrue(net.inA(() -> loader.adoptExisting(net.vethA)).isEmpty(), "nothing attached yet");
            XdpAttachment a = net.inA(() -> loader.attach(net.vethA, XdpRole.UPLINK));
            int id = a.programId();
            a.configure(new XdpConfig(40002, false));
            a.close(); // agent exits
            XdpAttachment b = net.inA(() -> XdpLoader.forAgent(net.bpffs(), "t9").adoptExisting(net.vethA)).orElseThrow();
            try {
                assertTrue(b.adopted());
                assertEquals(id, b.programId());
                assertEquals(XdpRole.UPLINK, b.role());
                assertEquals(XdpMode.NATIVE, b.mode());
                assertEquals(new XdpConfig(40002, false), b.config(), "the maps are the running program's");
                assertTrue(net.inA(() -> XdpLoader.forAgent(net.bpffs(), "other").adoptExisting(net.vethA)).isEmpty(),
                        "another agent's pins are not ours");
            } finally {
                net.inA(() -> {
                    b.detach();
                    return null;
                });
            }
            assertTrue(net.inA(() -> loader.adoptExisting(net.vethA)).isEmpty(), "detached: nothing to adopt");
            assertFalse(net.linkA().contains("prog/xdp"), net.linkA());
        }
    }

    @Test
    void foreignProgramIsNeverReplaced(@TempDir Path tmp) throws Exception {
        Path src = tmp.resolve("foreign.c");
        Files.writeString(src, """
                #include <linux/bpf.h>
                #include <bpf/bpf_helpers.h>
                SEC("xdp") int foreign_pass(struct xdp_md *ctx) { return XDP_PASS; }
                char _license[] SEC("license") = "GPL";
                """);
        Path obj = tmp.resolve("foreign.o");
        KernelNet.sh("clang -O2 -target bpf -I/usr/include/x86_64-linux-gnu -c " + src + " -o " + obj);
        try (KernelNet net = KernelNet.pair(1500, true)) {
            KernelNet.sh("ip -n " + net.nsA + " link set dev " + net.vethA + " xdpdrv obj " + obj + " sec xdp");
            String before = net.linkA();
            assertTrue(before.contains("prog/xdp id"), before);
            String foreignId = before.replaceAll("(?s).*prog/xdp id (\\d+).*", "$1");

            XdpLoader loader = XdpLoader.forAgent(net.bpffs(), "t6");
            for (XdpRole role : XdpRole.values()) {
                BpfException e = assertThrows(BpfException.class, () -> net.inA(() -> loader.attach(net.vethA, role)));
                assertEquals(BpfException.Reason.FOREIGN_PROGRAM, e.reason());
                assertTrue(e.getMessage().contains("id " + foreignId) && e.getMessage().contains("foreign_pass"),
                        e.getMessage());
            }
            assertTrue(net.linkA().contains("prog/xdp id " + foreignId), "foreign program left in place");
            assertFalse(Files.exists(loader.pinRoot().resolve(net.vethA)), "nothing pinned");
            // Generic mode is refused too: the kernel allows one mode at a time and we do not replace.
            BpfException g = assertThrows(BpfException.class,
                    () -> net.inA(() -> loader.attach(net.vethA, XdpRole.POD, XdpMode.GENERIC)));
            assertEquals(BpfException.Reason.FOREIGN_PROGRAM, g.reason());
            assertTrue(net.linkA().contains("prog/xdp id " + foreignId));
        }
    }

    @Test
    void clearErrorsForMissingInterfaceQueueAndBpffs(@TempDir Path notBpffs) throws Exception {
        try (KernelNet net = KernelNet.pair(1500, true)) {
            XdpLoader loader = XdpLoader.forAgent(net.bpffs(), "t7");
            BpfException noIf = assertThrows(BpfException.class,
                    () -> net.inA(() -> loader.attach("xmnosuch0", XdpRole.POD)));
            assertEquals(BpfException.Reason.NO_SUCH_INTERFACE, noIf.reason());
            assertTrue(noIf.getMessage().contains("xmnosuch0"), noIf.getMessage());
            // The interface exists in namespace A only: from the root namespace it is "no such interface".
            BpfException otherNs = assertThrows(BpfException.class, () -> loader.attach(net.vethA, XdpRole.POD));
            assertEquals(BpfException.Reason.NO_SUCH_INTERFACE, otherNs.reason());

            BpfException noFs = assertThrows(BpfException.class,
                    () -> net.inA(() -> XdpLoader.forAgent(notBpffs, "t7").attach(net.vethA, XdpRole.POD)));
            assertEquals(BpfException.Reason.BPFFS_NOT_MOUNTED, noFs.reason());
            assertTrue(noFs.getMessage().contains("mount -t bpf bpf"), noFs.getMessage());
            assertFalse(net.linkA().contains("prog/xdp"), "nothing attached when pinning is impossible");

            XdpAttachment a = net.inA(() -> loader.attach(net.vethA, XdpRole.POD));
            try {
                BpfException q = assertThrows(BpfException.class, () -> a.xskMap().register(1, 0));
                assertEquals(BpfException.Reason.QUEUE_OUT_OF_RANGE, q.reason());
                assertTrue(q.getMessage().contains("has 1 rx queue"), q.getMessage());
                // fd 0 is not an AF_XDP socket: the kernel refuses, and the message says what is expected.
                BpfException notXsk = assertThrows(BpfException.class, () -> a.xskMap().register(0, 0));
                assertTrue(notXsk.getMessage().contains("AF_XDP socket"), notXsk.getMessage());
                a.xskMap().unregister(0);
                assertEquals(BpfException.Reason.QUEUE_OUT_OF_RANGE,
                        assertThrows(BpfException.class, () -> a.xskMap().unregister(-1)).reason());
            } finally {
                net.inA(() -> {
                    a.detach();
                    return null;
                });
            }
        }
    }

    private static boolean progExists(int id) throws Exception {
        for (int i = 0; i < 100; i++) { // freeing is asynchronous (RCU); bounded wait
            if (KernelNet.run(5, "bpftool prog show id " + id).exit() != 0) {
                return false;
            }
            Thread.sleep(20);
        }
        return true;
    }
}
