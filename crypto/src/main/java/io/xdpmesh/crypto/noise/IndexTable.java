package io.xdpmesh.crypto.noise;

import java.security.SecureRandom;
import java.util.HashMap;
import java.util.Map;

/** Our random non-zero 32-bit sender indexes and the peer each belongs to (a pending handshake or a session). */
final class IndexTable {
    private final Map<Integer, NoisePeer> byIndex = new HashMap<>();
    private final SecureRandom random;

    IndexTable(SecureRandom random) {
        this.random = random;
    }

    int allocate(NoisePeer peer) {
        while (true) {
            int index = random.nextInt();
            // Zero is valid on the wire, but the transport's index table reserves it for "none".
            if (index != 0 && byIndex.putIfAbsent(index, peer) == null) {
                return index;
            }
        }
    }

    NoisePeer lookup(int index) {
        return byIndex.get(index);
    }

    void release(int index) {
        byIndex.remove(index);
    }

    int size() {
        return byIndex.size();
    }
}
