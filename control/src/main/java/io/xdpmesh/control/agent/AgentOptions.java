package io.xdpmesh.control.agent;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;

/**
 * How to run one node agent.
 *
 * @param clusterFile   the cluster file (YAML), watched for changes
 * @param node          this node's name in it
 * @param stateDir      counters, flows, auth cache and status files (mode 0700; never a key)
 * @param identityDir   SVID directories in spiffe-helper's layout (the dev CA writes it), or null
 * @param workloadApi   the SPIFFE Workload API socket ("unix:/path"), or null
 * @param listen        handshake listen address (null: the node's address from the cluster file, port 4250)
 * @param bpffs         a mounted bpf filesystem for the pins (mounted there when it is not one)
 * @param rekeyAfter    rekey a pair this node initiated this long after its keypair was made
 * @param renewLead     how long before a keypair stops being usable its successor is made
 * @param pendingTimeout how long the dataplane holds the first frames of a pair
 * @param deadPeer      a session that sends but receives nothing this long is re-authenticated (peer restarted)
 * @param idle          what the dataplane thread does when idle (backoff saves CPU, busy-spin saves latency)
 * @param warmupHandshakes loopback handshakes at start-up so the first real one is fast (0: none)
 * @param threads       dataplane threads (each serves queue q mod threads of every interface)
 */
public record AgentOptions(Path clusterFile, String node, Path stateDir, Path identityDir, String workloadApi,
                           InetSocketAddress listen, Path bpffs, Duration rekeyAfter, Duration renewLead,
                           Duration pendingTimeout, Duration deadPeer, io.xdpmesh.dataplane.engine.IdleMode idle,
                           int warmupHandshakes, int threads) {
    /** One dataplane thread (the default of {@code --threads}). */
    public AgentOptions(Path clusterFile, String node, Path stateDir, Path identityDir, String workloadApi,
                        InetSocketAddress listen, Path bpffs, Duration rekeyAfter, Duration renewLead,
                        Duration pendingTimeout, Duration deadPeer, io.xdpmesh.dataplane.engine.IdleMode idle,
                        int warmupHandshakes) {
        this(clusterFile, node, stateDir, identityDir, workloadApi, listen, bpffs, rekeyAfter, renewLead, pendingTimeout,
                deadPeer, idle, warmupHandshakes, 1);
    }
}
