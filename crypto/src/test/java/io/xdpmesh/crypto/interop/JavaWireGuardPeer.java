package io.xdpmesh.crypto.interop;

import io.xdpmesh.crypto.aead.JdkPacketAead;
import io.xdpmesh.crypto.noise.HandshakeOutcome;
import io.xdpmesh.crypto.noise.NoiseHandshake;
import io.xdpmesh.crypto.noise.NoisePeer;
import io.xdpmesh.crypto.noise.SessionKeys;
import io.xdpmesh.crypto.noise.StaticKeyPair;
import io.xdpmesh.crypto.transport.Keypair;
import io.xdpmesh.crypto.transport.NanoClock;
import io.xdpmesh.crypto.transport.OpenStatus;
import io.xdpmesh.crypto.transport.TransportData;
import io.xdpmesh.crypto.transport.TransportOpener;
import io.xdpmesh.crypto.transport.TransportSealer;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

/**
 * A small WireGuard peer on a plain UDP socket, built only on crypto/: the Noise handshake from
 * io.xdpmesh.crypto.noise and type-4 seal/open from io.xdpmesh.crypto.transport. It answers ICMP
 * echo requests inside the tunnel and, with --ping, initiates the handshake and pings through it.
 * The interop test runs it in a network namespace against wireguard-go and reads its stdout.
 *
 * <p>Arguments (key=value): --private, --peer, [--psk], --port, --inner (our tunnel IPv4),
 * [--endpoint=ip:port --ping=ipv4 --count=n --size=bytes] to initiate and ping, [--under-load]
 * to treat every handshake message as arriving under load (MAC2 required), --seconds (lifetime).
 */
public final class JavaWireGuardPeer {
    private static final int MTU = 1420;

    private final NoiseHandshake handshake;
    private final NoisePeer peer;
    private final DatagramChannel channel;
    private final boolean underLoad;
    private final byte[] inner;
    private final Map<Integer, Keypair> byIndex = new HashMap<>();
    private final TransportOpener opener = new TransportOpener();
    private final TransportSealer sealer = new TransportSealer();
    private final byte[] buf = new byte[65536];
    private final MemorySegment seg = MemorySegment.ofArray(buf);
    private Keypair current;
    private SocketAddress peerEndpoint;

    private JavaWireGuardPeer(Map<String, String> a) throws Exception {
        StaticKeyPair local = StaticKeyPair.fromBase64(a.get("private"));
        handshake = new NoiseHandshake(local);
        byte[] psk = a.containsKey("psk") ? Base64.getDecoder().decode(a.get("psk")) : null;
        peer = handshake.addPeer(Base64.getDecoder().decode(a.get("peer")), psk);
        underLoad = a.containsKey("under-load");
        inner = InetAddress.getByName(a.get("inner")).getAddress();
        channel = DatagramChannel.open();
        channel.bind(new InetSocketAddress(Integer.parseInt(a.get("port"))));
        channel.configureBlocking(false);
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new HashMap<>();
        for (String arg : args) {
            String s = arg.replaceFirst("^--", "");
            int eq = s.indexOf('=');
            a.put(eq < 0 ? s : s.substring(0, eq), eq < 0 ? "" : s.substring(eq + 1));
        }
        JavaWireGuardPeer p = new JavaWireGuardPeer(a);
        say("READY");
        p.run(a);
        say("DONE " + p.handshake.counters() + " open=" + p.opener.counters() + " seal=" + p.sealer.counters());
        System.exit(0);
    }

    static void say(String line) {
        System.out.println(line);
        System.out.flush();
    }

    private void run(Map<String, String> a) throws Exception {
        long deadline = System.nanoTime() + Long.parseLong(a.getOrDefault("seconds", "30")) * 1_000_000_000L;
        boolean initiate = a.containsKey("ping");
        InetSocketAddress endpoint = null;
        byte[] pingTo = null;
        int count = Integer.parseInt(a.getOrDefault("count", "3"));
        int size = Integer.parseInt(a.getOrDefault("size", "84"));
        if (initiate) {
            String[] hp = a.get("endpoint").split(":");
            endpoint = new InetSocketAddress(hp[0], Integer.parseInt(hp[1]));
            pingTo = InetAddress.getByName(a.get("ping")).getAddress();
        }
        long lastInitiation = 0;
        int initiations = 0;
        int pongs = 0;
        int nextSeq = 1;
        long lastPing = 0;
        try (Selector selector = Selector.open()) {
            channel.register(selector, SelectionKey.OP_READ);
            while (System.nanoTime() < deadline) {
                long now = System.nanoTime();
                if (initiate && current == null && initiations < 10 && now - lastInitiation > 1_000_000_000L) {
                    channel.send(ByteBuffer.wrap(handshake.createInitiation(peer)), endpoint);
                    peerEndpoint = endpoint;
                    lastInitiation = now;
                    initiations++;
                    say("SENT_INITIATION " + initiations);
                }
                if (initiate && current != null && pongs < count && now - lastPing > 500_000_000L) {
                    int seq = nextSeq++;
                    IcmpEcho.writeRequest(seg, TransportData.PAYLOAD_OFFSET, size, inner, pingTo, 0x4a57, seq);
                    int n = sealer.seal(current, seg, 0, size, MTU, now);
                    if (n > 0) {
                        channel.send(ByteBuffer.wrap(buf, 0, n), peerEndpoint);
                        say("PING seq=" + seq + " wire=" + n);
                    } else {
                        say("SEAL_REFUSED " + (-n));
                    }
                    lastPing = now;
                }
                selector.select(100);
                selector.selectedKeys().clear();
                SocketAddress from;
                ByteBuffer bb = ByteBuffer.wrap(buf);
                while ((from = channel.receive(bb)) != null) {
                    int len = bb.position();
                    if (onDatagram(len, (InetSocketAddress) from, pingTo)) {
                        pongs++;
                        if (pongs == count) {
                            say("PINGS_DONE " + pongs);
                        }
                    }
                    bb.clear();
                }
            }
        }
    }

    /** Handles one datagram; true when it was the echo reply to one of our pings. */
    private boolean onDatagram(int len, InetSocketAddress from, byte[] pingTo) throws Exception {
        int type = len >= 4 ? buf[0] & 0xff : -1;
        if (type == 1 || type == 2 || type == 3) {
            HandshakeOutcome out = handshake.receive(buf, 0, len, NoiseHandshake.sourceKey(from), underLoad);
            switch (out.kind()) {
                case SEND_RESPONSE -> {
                    channel.send(ByteBuffer.wrap(out.reply()), from);
                    install(out.session());
                    peerEndpoint = from;
                    say("SENT_RESPONSE " + out.session() + (underLoad ? " mac2=ok" : ""));
                }
                case SEND_COOKIE_REPLY -> {
                    channel.send(ByteBuffer.wrap(out.reply()), from);
                    say("SENT_COOKIE_REPLY");
                }
                case SESSION_ESTABLISHED -> {
                    install(out.session());
                    say("SESSION " + out.session());
                }
                case COOKIE_STORED -> say("COOKIE_STORED");
                case REJECTED -> say("REJECT " + out.reason());
            }
            return false;
        }
        if (type != TransportData.MESSAGE_TYPE) {
            say("UNKNOWN_TYPE " + type);
            return false;
        }
        long now = System.nanoTime();
        Keypair kp = byIndex.get(TransportData.receiverIndex(seg, 0));
        int n = opener.open(kp, seg, 0, len, now);
        if (n < 0) {
            say("OPEN_REJECT " + OpenStatus.name(-n));
            return false;
        }
        peerEndpoint = from;
        if (n == 0) {
            say("KEEPALIVE");
            return false;
        }
        long ip = TransportData.PAYLOAD_OFFSET;
        if (IcmpEcho.isIcmp(seg, ip, n, 8)) {
            int seq = IcmpEcho.u16(seg, ip + IcmpEcho.ipHeaderLength(seg, ip) + 6);
            IcmpEcho.toReply(seg, ip, n);
            int w = sealer.seal(kp, seg, 0, n, MTU, now);
            if (w < 0) {
                say("SEAL_REFUSED " + (-w));
                return false;
            }
            channel.send(ByteBuffer.wrap(buf, 0, w), from);
            say("ECHO_REPLIED seq=" + seq + " inner=" + n + " wire=" + w + " padded=" + (len - TransportData.OVERHEAD));
            return false;
        }
        if (pingTo != null && IcmpEcho.isIcmp(seg, ip, n, 0)) {
            int ihl = IcmpEcho.ipHeaderLength(seg, ip);
            boolean fromTarget = seg.asSlice(ip + 12, 4).mismatch(MemorySegment.ofArray(pingTo)) == -1;
            boolean checksumOk = IcmpEcho.checksum(seg, ip + ihl, n - ihl) == 0 && IcmpEcho.checksum(seg, ip, ihl) == 0;
            int seq = IcmpEcho.u16(seg, ip + ihl + 6);
            say("PONG seq=" + seq + " inner=" + n + " from_target=" + fromTarget + " checksum_ok=" + checksumOk);
            return fromTarget && checksumOk;
        }
        say("INNER_OTHER len=" + n);
        return false;
    }

    private void install(SessionKeys k) {
        Keypair kp = new Keypair(new JdkPacketAead(k.sendKey()), new JdkPacketAead(k.receiveKey()),
                k.localIndex(), k.remoteIndex(), k.initiator(), NanoClock.SYSTEM);
        byIndex.put(k.localIndex(), kp);
        current = kp;
    }
}
