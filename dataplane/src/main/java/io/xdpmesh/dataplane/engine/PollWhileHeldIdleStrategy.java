package io.xdpmesh.dataplane.engine;

import java.util.function.IntSupplier;
import org.agrona.concurrent.IdleStrategy;

/**
 * The busy-spin and yield modes' idle strategy: spin (or yield) as configured, except while the
 * thread holds first frames waiting for a handshake or the agent counts a handshake in progress
 * (either side); then idle as the backoff mode does, in poll(2) on the thread's sockets and
 * command eventfd, so a frame or the session install still wakes it at once. On a machine with as
 * many dataplane threads as cores, spinning there took the core the agent's handshake threads
 * (and the JIT) needed to release those very frames: the first ping of the first pair took 67 ms
 * with busy-spin agents against 32 ms with backoff. The check is one int read of dataplane-thread
 * state and one volatile read per empty cycle.
 */
final class PollWhileHeldIdleStrategy implements IdleStrategy {
    private final IdleStrategy usual;
    private final IdleStrategy whileHeld;
    private final IntSupplier handshakeWork;

    PollWhileHeldIdleStrategy(IdleStrategy usual, IdleStrategy whileHeld, IntSupplier handshakeWork) {
        this.usual = usual;
        this.whileHeld = whileHeld;
        this.handshakeWork = handshakeWork;
    }

    @Override
    public void idle(int workCount) {
        if (workCount > 0) {
            usual.reset();
            whileHeld.reset();
            return;
        }
        idle();
    }

    @Override
    public void idle() {
        if (handshakeWork.getAsInt() > 0) {
            whileHeld.idle();
        } else {
            usual.idle();
        }
    }

    @Override
    public void reset() {
        usual.reset();
        whileHeld.reset();
    }

    @Override
    public String alias() {
        return usual.alias() + "-poll-while-held";
    }
}
