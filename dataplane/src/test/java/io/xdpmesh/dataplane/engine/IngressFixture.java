package io.xdpmesh.dataplane.engine;

import io.xdpmesh.crypto.aead.JdkPacketAead;
import io.xdpmesh.crypto.aead.PacketMac;
import io.xdpmesh.crypto.transport.Keypair;
import io.xdpmesh.crypto.transport.TransportSealer;
import io.xdpmesh.dataplane.cluster.ClusterConfig;
import io.xdpmesh.dataplane.pending.PairKey;
import io.xdpmesh.dataplane.session.Session;
import io.xdpmesh.dataplane.session.SessionTable;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.Map;

/**
 * Node n1 receiving from n2: workload a (10.1.1.1) on n1, b (10.1.2.1) and c (10.1.2.2) on n2,
 * one session a <-> b. Builds tunnel frames as n2's dataplane would.
 */
final class IngressFixture {
    static final String YAML = """
            trustDomain: t.test
            defaultVerdict: %s
            nodes:
              - {name: n1, uplink: up1, address: 10.0.0.1}
              - {name: n2, uplink: up2, address: 10.0.0.2}
            workloads:
              - {id: spiffe://t.test/a, node: n1, ips: [10.1.1.1, "fd00::a"], interface: lxa, mac: "02:00:00:00:00:0a"}
              - {id: spiffe://t.test/b, node: n2, ips: [10.1.2.1, "fd00::b"], interface: lxb}
              - {id: spiffe://t.test/c, node: n2, ips: [10.1.2.2], interface: lxc}
            """;
    static final int LOCAL_INDEX = 0x01020304;
    static final int REMOTE_INDEX = 0x0a0b0c0d;

    final ClusterState state;
    final SessionTable sessions = new SessionTable(16);
    final Keypair sender;
    final TransportSealer sealer = new TransportSealer();
    /** The padding cap the sender uses (its tunnel MTU, rounded as WireGuard's). */
    final int sealMtu;

    IngressFixture() {
        this("encrypt");
    }

    /** With the pair's verdict (the cluster's default): encrypt, auth, allow or deny. */
    IngressFixture(String verdict) {
        this(verdict, 1500);
    }

    /** With the uplink MTU of both nodes (9000: jumbo frames). */
    IngressFixture(String verdict, int uplinkMtu) {
        this(verdict, uplinkMtu, JdkPacketAead::new);
    }

    /** With the ciphers of both directions from aead (e.g. an allocation-free one). */
    IngressFixture(String verdict, int uplinkMtu, java.util.function.Function<byte[], io.xdpmesh.crypto.aead.PacketAead> aead) {
        ClusterConfig cfg = TwoNodeMesh.parse(YAML.formatted(verdict));
        state = ClusterState.build(cfg, "n1", Map.of("lxa", 0, "up1", 1), uplinkMtu, 1);
        sealMtu = uplinkMtu - 60;
        byte[] k1 = new byte[32];
        byte[] k2 = new byte[32];
        for (int i = 0; i < 32; i++) {
            k1[i] = (byte) i;
            k2[i] = (byte) (100 + i);
        }
        long now = System.nanoTime();
        int a = state.table.identityNumber("spiffe://t.test/a");
        int b = state.table.identityNumber("spiffe://t.test/b");
        Session s = sessions.getOrCreate("spiffe://t.test/a", "spiffe://t.test/b", "n2", PairKey.of(a, b, 1));
        s.localIdentity = a;
        s.remoteIdentity = b;
        s.remoteNode = 1;
        s.expiresAtNanos = now + 600_000_000_000L;
        sessions.install(s, new Keypair(aead.apply(k1), aead.apply(k2), new PacketMac(k1), new PacketMac(k2),
                LOCAL_INDEX, REMOTE_INDEX, true, now));
        sender = new Keypair(aead.apply(k2), aead.apply(k1), new PacketMac(k2), new PacketMac(k1),
                REMOTE_INDEX, LOCAL_INDEX, true, now);
    }

    /** An inner IPv4 UDP packet src -> dst with the payload. */
    static byte[] udp4(String src, String dst, byte[] payload) {
        try {
            ByteBuffer b = ByteBuffer.allocate(28 + payload.length);
            b.putShort((short) 0x4500).putShort((short) (28 + payload.length)).putInt(0).put((byte) 64).put((byte) 17)
                    .putShort((short) 0).put(InetAddress.getByName(src).getAddress())
                    .put(InetAddress.getByName(dst).getAddress());
            b.putShort((short) 1000).putShort((short) 2000).putShort((short) (8 + payload.length)).putShort((short) 0)
                    .put(payload);
            return b.array();
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A whole uplink frame (Ethernet, IPv4 10.0.0.2 -> 10.0.0.1, UDP to 51871) sealing inner. */
    byte[] frame(byte[] inner) {
        return frame(inner, false);
    }

    /** As {@link #frame(byte[])}, authenticated only (the auth verdict's type 0x84) when {@code clear}. */
    byte[] frame(byte[] inner, boolean clear) {
        byte[] buf = new byte[42 + 32 + inner.length + 16 + 64];
        MemorySegment seg = MemorySegment.ofArray(buf);
        MemorySegment.copy(MemorySegment.ofArray(inner), 0, seg, 42 + 16, inner.length);
        int m = clear ? sealer.authenticate(sender, seg, 42, inner.length, System.nanoTime())
                : sealer.seal(sender, seg, 42, inner.length, sealMtu, System.nanoTime());
        if (m < 0) {
            throw new IllegalStateException("seal refused: " + m);
        }
        ByteBuffer b = ByteBuffer.wrap(buf);
        b.put(new byte[] {2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2}).putShort((short) 0x0800);
        b.putShort((short) 0x4500).putShort((short) (28 + m)).putInt(0x4000).put((byte) 64).put((byte) 17)
                .putShort((short) 0).put(new byte[] {10, 0, 0, 2}).put(new byte[] {10, 0, 0, 1});
        b.putShort((short) 51871).putShort((short) 51871).putShort((short) (8 + m)).putShort((short) 0);
        byte[] out = new byte[42 + m];
        System.arraycopy(buf, 0, out, 0, out.length);
        return out;
    }
}
