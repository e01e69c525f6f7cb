package io.xdpmesh.control.agent;

import io.xdpmesh.dataplane.counters.CounterTypes;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;

/** The agent's own counters (agent.*) in the counters file, beside the dataplane's and the handshake's. */
final class AgentCounters {
    final AtomicCounter rekeysStarted;
    final AtomicCounter reauthsStarted;
    final AtomicCounter gcExpired;
    final AtomicCounter gcWorkloadGone;
    final AtomicCounter gcPolicy;
    final AtomicCounter gcFailed;
    final AtomicCounter clusterUpdates;
    final AtomicCounter clusterErrors;
    final AtomicCounter requestsDropped;

    AgentCounters(CountersManager m) {
        rekeysStarted = m.newCounter("agent.rekeys_started", CounterTypes.STAT);
        reauthsStarted = m.newCounter("agent.reauths_started", CounterTypes.STAT);
        gcExpired = m.newCounter("agent.gc.expired", CounterTypes.STAT);
        gcWorkloadGone = m.newCounter("agent.gc.workload_gone", CounterTypes.STAT);
        gcPolicy = m.newCounter("agent.gc.policy_no_longer_requires", CounterTypes.STAT);
        gcFailed = m.newCounter("agent.gc.failed_entries", CounterTypes.STAT);
        clusterUpdates = m.newCounter("agent.cluster_updates", CounterTypes.STAT);
        clusterErrors = m.newCounter("agent.cluster_file_errors", CounterTypes.STAT);
        requestsDropped = m.newCounter("agent.auth_requests_unroutable", CounterTypes.STAT);
    }
}
