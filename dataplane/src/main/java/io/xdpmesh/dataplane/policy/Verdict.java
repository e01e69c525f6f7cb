package io.xdpmesh.dataplane.policy;

import java.util.Locale;

/** What policy says about traffic from one identity to another. */
public enum Verdict {
    /** Dropped and counted. */
    DENY,
    /** Forwarded without authentication or encryption (plain tunnel-less forwarding or plain UDP). */
    ALLOW,
    /** Only after a mutual-auth handshake for the pair; payload travels in the clear inside the tunnel. */
    AUTH,
    /** Only after a mutual-auth handshake, and payload is encrypted. */
    ENCRYPT;

    private static final Verdict[] VALUES = values();

    public static Verdict ofOrdinal(int ordinal) {
        return VALUES[ordinal];
    }

    public boolean needsSession() {
        return this == AUTH || this == ENCRYPT;
    }

    public static Verdict parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown verdict '" + s + "' (expected deny, allow, auth or encrypt)");
        }
    }
}
