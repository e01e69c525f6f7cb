package io.xdpmesh.control.handshake;

/**
 * How many dataplane threads this agent process runs: the number of cipher lanes every session
 * keypair is built with (one sending and one receiving cipher per thread; see crypto's Keypair).
 * One agent per process, set once at start-up before the first handshake.
 */
public final class Lanes {
    private static volatile int lanes = 1;

    private Lanes() {}

    public static void set(int n) {
        if (n < 1 || n > io.xdpmesh.crypto.transport.Keypair.MAX_LANES) {
            throw new IllegalArgumentException("lanes: 1.." + io.xdpmesh.crypto.transport.Keypair.MAX_LANES);
        }
        lanes = n;
    }

    public static int get() {
        return lanes;
    }
}
