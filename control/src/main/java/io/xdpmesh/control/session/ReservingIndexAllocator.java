package io.xdpmesh.control.session;

import io.xdpmesh.crypto.transport.ReceiverIndexTable;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@link IndexAllocator} over a {@link ReceiverIndexTable}: the table's random unused index, also
 * unused by any handshake still in flight (the table only knows installed keypairs).
 */
public final class ReservingIndexAllocator implements IndexAllocator {
    private final ReceiverIndexTable table;
    private final Set<Integer> reserved = ConcurrentHashMap.newKeySet();

    public ReservingIndexAllocator(ReceiverIndexTable table) {
        this.table = table;
    }

    @Override
    public int allocate() {
        while (true) {
            int i = table.allocateIndex();
            if (reserved.add(i)) {
                return i;
            }
        }
    }

    @Override
    public void release(int index) {
        reserved.remove(index);
    }

    public int inFlight() {
        return reserved.size();
    }
}
