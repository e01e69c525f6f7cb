package io.xdpmesh.dataplane.engine;

import io.xdpmesh.dataplane.cluster.ClusterConfig;
import java.util.Map;

/**
 * Set-up thread -> dataplane thread: a new cluster view together with the ports it needs. Applied
 * between batches as one step: the removed ports leave the duty cycle, the added ones (sockets
 * bound, fill rings not yet primed) join it, and the new endpoint table maps workloads to the
 * slots. Every syscall was made before the hand-over; the dataplane thread only moves frames.
 */
record PortChange(ClusterConfig config, Map<String, Integer> portByIfname, Port[] add, int[] remove) {}
