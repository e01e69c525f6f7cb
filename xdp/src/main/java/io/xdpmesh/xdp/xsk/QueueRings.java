package io.xdpmesh.xdp.xsk;

import io.xdpmesh.xdp.sys.Sys;

/**
 * The fill/completion pair of one (interface, queue) of a UMEM, and the socket fd that owns it
 * (sockets sharing the pair bind with XDP_SHARED_UMEM to that fd). Reference-counted by the
 * sockets using it; the owner fd and the mappings go when the last one closes.
 */
final class QueueRings {
    final FillRing fill;
    final CompletionRing completion;
    final int ownerFd;
    final boolean ownerIsUmemFd;
    private final long fillMap;
    private final long fillLen;
    private final long compMap;
    private final long compLen;
    int refs;
    boolean unmapped;

    QueueRings(FillRing fill, long fillMap, long fillLen, CompletionRing completion, long compMap, long compLen,
               int ownerFd, boolean ownerIsUmemFd) {
        this.fill = fill;
        this.completion = completion;
        this.fillMap = fillMap;
        this.fillLen = fillLen;
        this.compMap = compMap;
        this.compLen = compLen;
        this.ownerFd = ownerFd;
        this.ownerIsUmemFd = ownerIsUmemFd;
    }

    void unmap() {
        if (!unmapped) {
            unmapped = true;
            Sys.munmap(fillMap, fillLen);
            Sys.munmap(compMap, compLen);
        }
    }
}
