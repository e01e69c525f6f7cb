package io.xdpmesh.control.session;

/**
 * Receiver indexes for new keypairs. The dataplane integration backs it with the
 * {@code ReceiverIndexTable} its receive path looks indexes up in; an index handed out here stays
 * reserved until {@link #release} (after the sink installed the keypair, or the handshake failed).
 */
public interface IndexAllocator {
    int allocate();

    void release(int index);
}
