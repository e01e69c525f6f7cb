package io.xdpmesh.dataplane.flow;

import io.xdpmesh.dataplane.policy.Verdict;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;

/** One flow as the CLI reads it from the flow table. direction: 0 egress (from a pod), 1 ingress. */
public record FlowRecord(InetAddress src, InetAddress dst, int protocol, int srcPort, int dstPort,
        long packets, long bytes, long firstSeenMillis, long lastSeenMillis, Verdict verdict, int direction) {

    static InetAddress address(long hi, long lo) {
        try {
            byte[] b = ByteBuffer.allocate(16).putLong(hi).putLong(lo).array();
            if (hi == 0 && (lo >>> 32) == 0xffffL) {
                return InetAddress.getByAddress(new byte[] {b[12], b[13], b[14], b[15]});
            }
            return InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
