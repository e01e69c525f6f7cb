package io.xdpmesh.control.handshake;

import java.util.Locale;

/** Why an identity-pair handshake failed. Each has a counter ({@code handshake.fail.<label>}) and a log line. */
public enum FailureReason {
    UNTRUSTED_CHAIN("the peer's chain does not verify against the trust bundle", false),
    WRONG_SPIFFE_ID("the peer's SPIFFE ID is not the one asked for / claimed", false),
    WRONG_TRUST_DOMAIN("the peer's SPIFFE ID is in a trust domain with no bundle here", false),
    EXPIRED("a certificate in the peer's chain is expired or not yet valid", false),
    NODE_BINDING("the peer's identity is not placed on the node the connection comes from / goes to", false),
    NOT_AN_SVID("the peer's leaf is not an X509-SVID (URI SAN, CA flag or key usage)", false),
    NO_LOCAL_SVID("this agent holds no SVID for the local identity", false),
    PEER_REFUSED("the peer agent refused the handshake or our certificate", true),
    CONNECT_FAILED("TCP connect to the peer agent failed", true),
    TIMEOUT("no session within the handshake timeout", true),
    TLS_ERROR("TLS failure other than certificate verification", true),
    PROTOCOL_ERROR("bad or unexpected message on the handshake connection", false),
    OVERLOADED("too many handshakes waiting (rate limit / concurrency queue full)", false),
    SHUTDOWN("the handshake service is shutting down", false);

    private final String description;
    private final boolean retriable;

    FailureReason(String description, boolean retriable) {
        this.description = description;
        this.retriable = retriable;
    }

    public String description() { return description; }

    /** Worth another attempt after a backoff (transient); certificate verdicts are final. */
    public boolean retriable() { return retriable; }

    public String label() { return name().toLowerCase(Locale.ROOT); }

    public String counterLabel() { return "handshake.fail." + label(); }

    public static FailureReason ofCode(int code) {
        FailureReason[] v = values();
        return code >= 0 && code < v.length ? v[code] : PROTOCOL_ERROR;
    }
}
