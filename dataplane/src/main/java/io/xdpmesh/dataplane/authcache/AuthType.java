package io.xdpmesh.dataplane.authcache;

/** How a pair was authenticated; part of the cache key as in Cilium's auth map. */
public enum AuthType {
    /** TLS 1.3 mutual auth with X.509-SVIDs, then WireGuard transport data (payload encrypted). */
    SPIFFE_ENCRYPT,
    /** TLS 1.3 mutual auth with X.509-SVIDs; payload authenticated (sealed) but policy did not ask for secrecy. */
    SPIFFE_AUTH;

    private static final AuthType[] VALUES = values();

    public static AuthType ofCode(int code) {
        return code >= 0 && code < VALUES.length ? VALUES[code] : null;
    }
}
