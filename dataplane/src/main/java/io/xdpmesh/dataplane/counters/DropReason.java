package io.xdpmesh.dataplane.counters;

import io.xdpmesh.dataplane.parse.ParseVerdict;
import java.util.Locale;

/** Why the dataplane dropped a frame. Each reason has its own counter; nothing is dropped silently. */
public enum DropReason {
    MALFORMED_TRUNCATED_ETHERNET("frame shorter than an Ethernet header"),
    MALFORMED_TOO_MANY_VLAN_TAGS("more than two VLAN tags"),
    MALFORMED_NOT_IP("not IPv4 or IPv6"),
    MALFORMED_TRUNCATED_IP_HEADER("frame ends inside the IP header"),
    MALFORMED_BAD_IP_VERSION("IP version does not match the EtherType"),
    MALFORMED_BAD_IPV4_HEADER_LENGTH("IPv4 IHL below 5"),
    MALFORMED_BAD_IP_TOTAL_LENGTH("IP length disagrees with the frame"),
    MALFORMED_TRUNCATED_IPV6_EXTENSION("frame ends inside an IPv6 extension header"),
    MALFORMED_TOO_MANY_IPV6_EXTENSIONS("IPv6 extension chain too long"),
    MALFORMED_TRUNCATED_L4_HEADER("frame ends inside the transport header"),
    UNKNOWN_SOURCE("source address is not a workload of this node"),
    SOURCE_NOT_ON_INTERFACE("source address belongs to a workload on another interface (spoofed)"),
    UNKNOWN_DESTINATION("destination address is not a known workload"),
    POLICY_DENY("policy verdict deny"),
    PENDING_PAIR_FULL("held frames for the pair exceeded 128: oldest dropped"),
    PENDING_GLOBAL_FULL("held frames exceeded the global bound: oldest dropped"),
    PENDING_TOO_MANY_PAIRS("too many pairs waiting for a handshake"),
    HANDSHAKE_TIMEOUT("held while the handshake timed out"),
    HANDSHAKE_FAILED("held while the handshake failed"),
    AUTH_REQUEST_QUEUE_FULL("the control plane's request queue was full"),
    NEIGHBOUR_UNRESOLVED("next-hop MAC of the peer node not resolved"),
    MTU_EXCEEDED("larger than the tunnel MTU (ICMP too big sent when allowed)"),
    TX_RING_FULL("no room in the TX ring"),
    UMEM_EXHAUSTED("no free UMEM frame"),
    TUNNEL_MALFORMED("tunnel packet is not valid WireGuard transport data"),
    TUNNEL_UNKNOWN_INDEX("receiver index matches no session"),
    TUNNEL_REPLAY("counter replayed or too old"),
    TUNNEL_AUTH_FAILED("authentication tag did not verify"),
    TUNNEL_KEY_EXPIRED("session keypair past its lifetime"),
    INNER_MALFORMED("decrypted packet is not a valid IP packet"),
    INNER_SPOOFED_SOURCE("inner source is not the session's remote identity"),
    INNER_WRONG_DESTINATION("inner destination is not the session's local identity"),
    NO_INTERFACE_FOR_WORKLOAD("destination workload's interface is not served"),
    POD_MTU_EXCEEDED("larger than the destination pod interface's MTU"),
    POD_MAC_UNKNOWN("destination pod's MAC neither configured nor learned yet"),
    TUNNEL_NOT_DATA("tunnel message other than transport data (handshakes run over TLS)"),
    TUNNEL_NOT_ALIGNED("padding no WireGuard sender produces"),
    TUNNEL_COUNTER_LIMIT("counter at or above REJECT_AFTER_MESSAGES"),
    UPLINK_NOT_TUNNEL("uplink frame that is not UDP to the tunnel port"),
    SEAL_REFUSED("the session's keypair refused to seal (counter exhausted, no room)"),
    SOURCE_IS_REMOTE("source address belongs to a workload of another node"),
    PORT_REMOVED("arrived on a pod interface while it was being removed"),
    POD_QUEUE_NOT_ON_THREAD("for a pod interface with fewer queues than dataplane threads, on a thread serving none of them"),
    TUNNEL_WRONG_THREAD("authentic keypair window owned by another dataplane thread (the peer sent it on another queue)"),
    TUNNEL_CLEAR_NOT_ALLOWED("authenticated but unencrypted, for a pair whose verdict is not auth");

    private static final DropReason[] BY_PARSE = new DropReason[ParseVerdict.values().length];

    static {
        for (ParseVerdict v : ParseVerdict.values()) {
            if (v != ParseVerdict.OK) {
                BY_PARSE[v.ordinal()] = valueOf("MALFORMED_" + v.name());
            }
        }
    }

    private final String description;

    DropReason(String description) {
        this.description = description;
    }

    public String description() {
        return description;
    }

    public String counterLabel() {
        return "drop." + name().toLowerCase(Locale.ROOT);
    }

    public static DropReason of(ParseVerdict v) {
        DropReason r = BY_PARSE[v.ordinal()];
        if (r == null) {
            throw new IllegalArgumentException(v + " is not a drop");
        }
        return r;
    }
}
