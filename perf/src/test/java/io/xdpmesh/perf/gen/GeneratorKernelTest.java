package io.xdpmesh.perf.gen;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import io.xdpmesh.perf.loop.LoopRunner;
import io.xdpmesh.perf.xsk.XskPort;
import io.xdpmesh.xdp.sys.NetNs;
import io.xdpmesh.xdp.xsk.loop.TxOnly;

/**
 * The generator against the kernel's own UDP stack: a veth pair in two private namespaces, the
 * generator on one end, a UDP socket on the other. Frames leaving an AF_XDP socket carry no
 * checksum offload state, so the receiving kernel verifies both checksums itself and drops (and
 * counts) a bad one: every datagram arriving proves the IP and UDP checksums valid.
 */
@Tag("kernel")
class GeneratorKernelTest {
    private final String p = String.format("xm%04x", ThreadLocalRandom.current().nextInt(0x10000));
    private final int net = 100 + ThreadLocalRandom.current().nextInt(100);
    private final List<String> namespaces = new ArrayList<>();

    @BeforeEach
    void topology() throws IOException {
        for (String s : List.of("s", "r")) {
            sh("ip netns add " + p + s);
            namespaces.add(p + s);
            sh("ip -n " + p + s + " link set lo up");
        }
        sh("ip link add " + p + "s0 netns " + p + "s type veth peer name " + p + "r0 netns " + p + "r");
        sh("ip -n " + p + "s link set " + p + "s0 up");
        sh("ip -n " + p + "r link set " + p + "r0 up");
        sh("ip -n " + p + "r addr add 10." + net + ".7.2/24 dev " + p + "r0");
        sh("ip -n " + p + "r addr add fd00:" + net + "::2/64 dev " + p + "r0 nodad");
    }

    @AfterEach
    void teardown() {
        for (String ns : namespaces) {
            try {
                sh("ip netns del " + ns);
            } catch (IOException e) {
                // keep removing the others
            }
        }
    }

    @Test
    void ipv4DatagramsAllArriveWithValidChecksumsAndCycleFlows() throws Exception {
        sendAndReceive("10." + net + ".7.1", "10." + net + ".7.2", StandardProtocolFamily.INET, 64);
    }

    @Test
    void ipv6DatagramsAllArriveWithValidChecksums() throws Exception {
        sendAndReceive("fd00:" + net + "::1", "fd00:" + net + "::2", StandardProtocolFamily.INET6, 1514);
    }

    private void sendAndReceive(String src, String dst, StandardProtocolFamily family, int size) throws Exception {
        int count = 3000;
        int flows = 7;
        String rmac = sh("ip netns exec " + p + "r cat /sys/class/net/" + p + "r0/address").trim();
        DatagramChannel rx;
        try (NetNs in = NetNs.enter(p + "r")) {
            rx = DatagramChannel.open(family);
            rx.bind(new InetSocketAddress(dst, 9999));
        }
        try (rx) {
            GeneratorOptions o = GeneratorOptions.parse(new String[] {"--netns", p + "s", "--dev", p + "s0",
                    "--dst-mac", rmac, "--src-ip", src, "--dst-ip", dst, "--dport", "9999", "--sport", "20000",
                    "--flows", String.valueOf(flows), "--size", String.valueOf(size), "--count",
                    String.valueOf(count), "--rate", "20000", "--seconds", "10"});
            rx.configureBlocking(false);
            Set<Integer> ports = new TreeSet<>();
            int received = 0;
            ByteBuffer buf = ByteBuffer.allocate(2048);
            UdpFlows packets = o.packets();
            int payload = size - (family == StandardProtocolFamily.INET ? 42 : 62);
            try (XskPort port = XskPort.open(o.netns(), o.dev(), 0, false)) {
                packets.prewrite(port.umem().segment(), port.umem().frameCount(), port.umem().frameSize());
                TxOnly tx = new TxOnly(port.socket(), port.umem().frames(), packets, o.batch(), o.count(), o.rate());
                Thread sender = Thread.ofPlatform().start(() -> {
                    try {
                        new LoopRunner().run(tx, tx::txPackets, tx::done, 0, o.seconds(), () -> { });
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
                while (received < count && System.nanoTime() < until) {
                    buf.clear();
                    InetSocketAddress from = (InetSocketAddress) rx.receive(buf);
                    if (from == null) {
                        Thread.sleep(1);
                        continue;
                    }
                    received++;
                    ports.add(from.getPort());
                    assertEquals(payload, buf.position(), "payload length");
                    assertEquals(8, buf.get(0) & 0xff, "payload byte 0 is UDP offset 8");
                }
                sender.join(15_000);
                assertEquals(count, tx.txPackets(), "sent");
            }
            // Every datagram must reach UDP with a valid checksum; a slow reader may lose a few to a
            // full receive buffer (RcvbufErrors), which says nothing about the frames.
            boolean v4 = family == StandardProtocolFamily.INET;
            long in = udpCounter(v4, "InDatagrams");
            long rcvbuf = udpCounter(v4, "RcvbufErrors");
            assertEquals(0, udpCounter(v4, "InCsumErrors"), "UDP checksum errors");
            assertEquals(count, in + rcvbuf, "datagrams that reached UDP (delivered " + in + ", receive buffer full "
                    + rcvbuf + ")");
            assertEquals(in, received, "datagrams read from the socket");
            Set<Integer> expected = new TreeSet<>();
            for (int i = 0; i < flows; i++) {
                expected.add(20000 + i);
            }
            assertEquals(expected, ports, "source ports of the flows");
        }
    }

    /** A UDP counter of the receiving namespace: /proc/net/snmp ("Udp:" header + values) or snmp6. */
    private long udpCounter(boolean v4, String name) throws IOException {
        String snmp = sh("ip netns exec " + p + "r cat /proc/net/snmp" + (v4 ? "" : "6"));
        if (!v4) {
            for (String line : snmp.split("\n")) {
                String[] f = line.trim().split("\\s+");
                if (f.length == 2 && f[0].equals("Udp6" + name)) {
                    return Long.parseLong(f[1]);
                }
            }
            throw new IOException("no Udp6" + name + " in snmp6");
        }
        String[] lines = snmp.split("\n");
        for (int i = 0; i + 1 < lines.length; i++) {
            if (lines[i].startsWith("Udp: ") && lines[i + 1].startsWith("Udp: ")) {
                String[] keys = lines[i].trim().split("\\s+");
                String[] values = lines[i + 1].trim().split("\\s+");
                for (int k = 1; k < keys.length; k++) {
                    if (keys[k].equals(name)) {
                        return Long.parseLong(values[k]);
                    }
                }
            }
        }
        throw new IOException("no Udp " + name + " in snmp");
    }

    private static String sh(String cmd) throws IOException {
        Process pr = new ProcessBuilder("sh", "-c", cmd).redirectErrorStream(true).start();
        String out = new String(pr.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!pr.waitFor(30, TimeUnit.SECONDS) || pr.exitValue() != 0) {
                throw new IOException("`" + cmd + "` failed: " + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        return out;
    }
}
