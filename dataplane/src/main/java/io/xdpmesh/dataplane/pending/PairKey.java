package io.xdpmesh.dataplane.pending;

/**
 * An identity pair and the peer node packed in a long, so pairs key primitive tables:
 * source identity (24 bits), destination identity (24 bits), destination node (16 bits).
 */
public final class PairKey {
    public static final int MAX_IDENTITY = (1 << 24) - 1;
    public static final int MAX_NODE = (1 << 16) - 1;

    private PairKey() {}

    public static long of(int srcIdentity, int dstIdentity, int dstNode) {
        return ((long) srcIdentity << 40) | ((long) dstIdentity << 16) | dstNode;
    }

    public static int src(long key) {
        return (int) (key >>> 40) & MAX_IDENTITY;
    }

    public static int dst(long key) {
        return (int) (key >>> 16) & MAX_IDENTITY;
    }

    public static int node(long key) {
        return (int) key & MAX_NODE;
    }
}
