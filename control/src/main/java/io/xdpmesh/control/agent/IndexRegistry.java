package io.xdpmesh.control.agent;

import io.xdpmesh.control.session.IndexAllocator;
import io.xdpmesh.crypto.transport.Keypair;
import io.xdpmesh.crypto.transport.WireGuardConstants;
import java.security.SecureRandom;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Receiver indexes for the agent's handshakes, unique among the keypairs the dataplane may still
 * hold and the handshakes in flight. The dataplane's session table is private to its thread, so
 * the agent keeps this mirror: an index is live from allocation until its keypair is closed by
 * the dataplane (it invalidates on close) or is far past REJECT_AFTER_TIME; {@link #sweep} forgets those.
 */
final class IndexRegistry implements IndexAllocator {
    private final SecureRandom random = new SecureRandom();
    private final Set<Integer> reserved = ConcurrentHashMap.newKeySet();
    private final Map<Integer, Keypair> installed = new ConcurrentHashMap<>();

    @Override
    public int allocate() {
        while (true) {
            int i = random.nextInt();
            if (i != 0 && i != -1 && !installed.containsKey(i) && reserved.add(i)) {
                return i;
            }
        }
    }

    @Override
    public void release(int index) {
        reserved.remove(index);
    }

    /** Called before the keypair goes to the dataplane (its index stays taken). */
    void installed(Keypair kp) {
        installed.put(kp.localIndex(), kp);
    }

    /** Forgets indexes whose keypairs the dataplane closed or that are long dead; returns how many. */
    int sweep(long nowNanos) {
        int[] n = {0};
        installed.values().removeIf(kp -> {
            boolean gone = kp.isInvalidated() || kp.age(nowNanos) > 2 * WireGuardConstants.REJECT_AFTER_TIME;
            if (gone) {
                n[0]++;
            }
            return gone;
        });
        return n[0];
    }

    int live() {
        return installed.size() + reserved.size();
    }
}
