package io.xdpmesh.dataplane.counters;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;

/**
 * The JVM facts behind the hot path's promise, in the counters file so that `xdpmesh stats` (and
 * the perf harness, without a profiler attached) can check them at any time:
 * {@code jvm.dataplane_allocated_bytes}, the heap bytes the dataplane threads have allocated since
 * they started (0 growth under load is the claim), and {@code jvm.gc_collections}, every
 * collection of every collector in the agent. Refreshed by the set-up side, never by a dataplane thread.
 */
public final class JvmCounters {
    private final AtomicCounter allocated;
    private final AtomicCounter collections;
    private final com.sun.management.ThreadMXBean threads;

    public JvmCounters(CountersManager manager) {
        allocated = manager.newCounter("jvm.dataplane_allocated_bytes", CounterTypes.STAT);
        collections = manager.newCounter("jvm.gc_collections", CounterTypes.STAT);
        threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    }

    /** Reads the given threads' allocation (a thread not started or gone counts 0) and the GC count now. */
    public void refresh(Thread[] dataplaneThreads) {
        long sum = 0;
        for (Thread t : dataplaneThreads) {
            long b = t == null ? -1 : threads.getThreadAllocatedBytes(t.threadId());
            sum += Math.max(0, b);
        }
        allocated.setRelease(sum);
        long gcs = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            gcs += Math.max(0, gc.getCollectionCount());
        }
        collections.setRelease(gcs);
    }
}
