package io.xdpmesh.dataplane.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.xdpmesh.dataplane.counters.DropReason;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class TunnelIngressTest {
    final IngressFixture fx = new IngressFixture();
    final TunnelIngress in = new TunnelIngress();

    int decode(byte[] frame) {
        return in.decode(MemorySegment.ofArray(frame), 0, frame.length, fx.state, fx.sessions, System.nanoTime());
    }

    @Test
    void deliversTheSessionsOwnTrafficWithAnEthernetHeaderInFront() {
        byte[] inner = IngressFixture.udp4("10.1.2.1", "10.1.1.1", "hello".getBytes(StandardCharsets.UTF_8));
        byte[] frame = fx.frame(inner);
        assertEquals(TunnelIngress.DELIVER, decode(frame));
        assertEquals(14 + inner.length, in.frameLen);
        MemorySegment s = MemorySegment.ofArray(frame);
        assertArrayEquals(inner, s.asSlice(in.ethOffset + 14, inner.length).toArray(ValueLayout.JAVA_BYTE));
        assertEquals(0x08, frame[(int) in.ethOffset + 12]);
        assertEquals(0x00, frame[(int) in.ethOffset + 13]);
        assertEquals(0, in.dstEndpoint);
    }

    @Test
    void innerSourceOfAnotherIdentityIsSpoofed() {
        byte[] frame = fx.frame(IngressFixture.udp4("10.1.2.2", "10.1.1.1", new byte[10]));
        assertEquals(TunnelIngress.DROP, decode(frame));
        assertEquals(DropReason.INNER_SPOOFED_SOURCE, in.reason);
    }

    @Test
    void innerDestinationMustBeTheLocalIdentity() {
        byte[] frame = fx.frame(IngressFixture.udp4("10.1.2.1", "10.1.2.2", new byte[10]));
        assertEquals(TunnelIngress.DROP, decode(frame));
        assertEquals(DropReason.INNER_WRONG_DESTINATION, in.reason);
    }

    @Test
    void replayTamperUnknownIndexKeepaliveAndHandshakesAreTold() {
        byte[] frame = fx.frame(IngressFixture.udp4("10.1.2.1", "10.1.1.1", new byte[10]));
        byte[] copy = frame.clone();
        assertEquals(TunnelIngress.DELIVER, decode(frame));
        assertEquals(TunnelIngress.DROP, decode(copy));
        assertEquals(DropReason.TUNNEL_REPLAY, in.reason);

        byte[] tampered = fx.frame(IngressFixture.udp4("10.1.2.1", "10.1.1.1", new byte[10]));
        tampered[tampered.length - 20] ^= 1;
        assertEquals(TunnelIngress.DROP, decode(tampered));
        assertEquals(DropReason.TUNNEL_AUTH_FAILED, in.reason);

        byte[] unknown = fx.frame(IngressFixture.udp4("10.1.2.1", "10.1.1.1", new byte[10]));
        unknown[42 + 4] ^= 0x55;
        assertEquals(TunnelIngress.DROP, decode(unknown));
        assertEquals(DropReason.TUNNEL_UNKNOWN_INDEX, in.reason);

        assertEquals(TunnelIngress.KEEPALIVE, decode(fx.frame(new byte[0])));

        byte[] hs = fx.frame(IngressFixture.udp4("10.1.2.1", "10.1.1.1", new byte[10]));
        hs[42] = 1;
        assertEquals(TunnelIngress.DROP, decode(hs));
        assertEquals(DropReason.TUNNEL_NOT_DATA, in.reason);

        byte[] port = fx.frame(IngressFixture.udp4("10.1.2.1", "10.1.1.1", new byte[10]));
        port[14 + 20 + 3] ^= 1;
        assertEquals(TunnelIngress.DROP, decode(port));
        assertEquals(DropReason.UPLINK_NOT_TUNNEL, in.reason);
    }

    @Test
    void authenticatedClearTextIsDeliveredOnlyWherePolicySaysAuth() {
        byte[] inner = IngressFixture.udp4("10.1.2.1", "10.1.1.1", "in the clear".getBytes(StandardCharsets.UTF_8));
        IngressFixture auth = new IngressFixture("auth");
        TunnelIngress authIn = new TunnelIngress();
        byte[] frame = auth.frame(inner, true);
        assertEquals(TunnelIngress.DELIVER,
                authIn.decode(MemorySegment.ofArray(frame), 0, frame.length, auth.state, auth.sessions, System.nanoTime()));
        assertArrayEquals(inner, MemorySegment.ofArray(frame).asSlice(authIn.ethOffset + 14, inner.length)
                .toArray(ValueLayout.JAVA_BYTE));
        // Sealed traffic is still taken for an auth pair: encryption is more than the policy asks.
        byte[] sealed = auth.frame(inner, false);
        assertEquals(TunnelIngress.DELIVER,
                authIn.decode(MemorySegment.ofArray(sealed), 0, sealed.length, auth.state, auth.sessions, System.nanoTime()));

        // The default fixture's pair must be encrypted: an authentic clear-text message is dropped.
        byte[] clear = fx.frame(inner, true);
        assertEquals(TunnelIngress.DROP, decode(clear));
        assertEquals(DropReason.TUNNEL_CLEAR_NOT_ALLOWED, in.reason);

        byte[] forged = auth.frame(inner, true);
        forged[42 + 16 + 27] ^= 1; // one payload byte, in the clear, changed on the way
        assertEquals(TunnelIngress.DROP,
                authIn.decode(MemorySegment.ofArray(forged), 0, forged.length, auth.state, auth.sessions, System.nanoTime()));
        assertEquals(DropReason.TUNNEL_AUTH_FAILED, authIn.reason);
    }
}
