package io.xdpmesh.dataplane.session;

import io.xdpmesh.dataplane.policy.Verdict;

/**
 * A request from the dataplane: "frames of this pair are held, authenticate it". localId is the
 * source workload on this node, remoteId the destination on remoteNode. pairKey and generation
 * identify the pair in the dataplane's numbering at the time (diagnostics; commands use names).
 * heldAtNanos is the dataplane's System.nanoTime() when the pair's first frame was held (the
 * agent's first-packet latency trace starts there).
 */
public record AuthRequest(String localId, String remoteId, String remoteNode, Verdict verdict,
        long pairKey, int generation, long heldAtNanos) {}
