package io.xdpmesh.dataplane.parse;

/**
 * Outcome of parsing one frame: OK, or the reason it is dropped. The ordinal indexes the
 * dataplane's drop counters, so every malformed frame is counted by what was wrong with it.
 */
public enum ParseVerdict {
    OK("parsed"),
    TRUNCATED_ETHERNET("frame shorter than an Ethernet header"),
    TOO_MANY_VLAN_TAGS("more than two VLAN tags"),
    NOT_IP("EtherType is neither IPv4 nor IPv6"),
    TRUNCATED_IP_HEADER("frame ends inside the IP header"),
    BAD_IP_VERSION("IP version field does not match the EtherType"),
    BAD_IPV4_HEADER_LENGTH("IPv4 IHL below 5"),
    BAD_IP_TOTAL_LENGTH("IP length field disagrees with the frame"),
    TRUNCATED_IPV6_EXTENSION("frame ends inside an IPv6 extension header"),
    TOO_MANY_IPV6_EXTENSIONS("IPv6 extension header chain too long"),
    TRUNCATED_L4_HEADER("frame ends inside the TCP/UDP/ICMP header");

    private final String description;

    ParseVerdict(String description) {
        this.description = description;
    }

    public String description() {
        return description;
    }

    /** Counter-friendly name, e.g. {@code truncated_ip_header}. */
    public String counterName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
