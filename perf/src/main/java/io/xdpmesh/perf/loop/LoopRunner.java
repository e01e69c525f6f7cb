package io.xdpmesh.perf.loop;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

import io.xdpmesh.xdp.xsk.loop.Forwarder;

/**
 * Runs one duty-cycle loop on its own busy-polling thread, bounded in time, and measures a
 * window after a warm-up from another thread: the loop's count, the bytes the loop thread
 * allocated and the GC count (both must stay 0). The loop itself only calls doWork and reads a
 * volatile stop flag; everything that allocates (timing, printing) happens on the caller's thread.
 */
public final class LoopRunner {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private final int idleSpins;
    private final long idleSleepNanos;
    private volatile boolean stop;
    /** Counted down by {@link #endEarly()}: the measured window ends now instead of at its time. */
    private final CountDownLatch early = new CountDownLatch(1);
    /** The loop thread's allocated-bytes counter as it left the loop (it reads its own, allocation-free). */
    private volatile long allocatedAtExit = -1;
    private volatile long exitNanos;

    /** A busy-polling runner: the loop never sleeps. */
    public LoopRunner() {
        this(0, 0);
    }

    /**
     * A runner that sleeps idleSleepNanos after idleSpins consecutive idle iterations (doWork
     * returned 0); 0 spins: busy polling. The C reference (perf/native/xskref.c -I/-S) has the same
     * policy, so that a loop's CPU time is its work plus a bounded idle cost, not a busy spin
     * whose length only tells how slow the traffic source was.
     */
    public LoopRunner(int idleSpins, long idleSleepNanos) {
        if (idleSpins < 0 || idleSleepNanos < 0) {
            throw new IllegalArgumentException("idle spins and sleep must be >= 0");
        }
        this.idleSpins = idleSpins;
        this.idleSleepNanos = idleSleepNanos;
    }

    /** What one window saw; allocatedBytes and gcCount are the zero-allocation proof. */
    public record Window(double seconds, long count, long rx, long tx, long kicks, long allocatedBytes,
            long gcCount, double totalSeconds, long lost) {
        public double rate() {
            return seconds > 0 ? count / seconds : 0;
        }
    }

    /**
     * Starts the loop, calls onRunning once it spins, waits warmup, measures until seconds have
     * passed since the start or the loop ended by itself (finished() true on an idle iteration),
     * then stops it. The count measured is what counter returns (read racily from this thread).
     */
    public Window run(Forwarder loop, LongSupplier counter, BooleanSupplier finished, double warmup, double seconds,
            Runnable onRunning) throws InterruptedException {
        return run(loop, counter, () -> 0, finished, warmup, seconds, onRunning);
    }

    /** As above; lost is a second counter read at the same instants (e.g. frames the socket dropped). */
    public Window run(Forwarder loop, LongSupplier counter, LongSupplier lost, BooleanSupplier finished, double warmup,
            double seconds, Runnable onRunning) throws InterruptedException {
        CountDownLatch started = new CountDownLatch(1);
        Thread t = new Thread(() -> {
            started.countDown();
            spin(loop, finished);
        }, "xsk-loop-" + loop.roleName());
        t.setDaemon(true);
        THREADS.setThreadAllocatedMemoryEnabled(true);
        long begin = System.nanoTime();
        t.start();
        started.await();
        onRunning.run();
        long endAt = begin + (long) (seconds * 1e9);
        awaitLoop(t, (long) (warmup * 1e9));
        long t0 = System.nanoTime();
        long c0 = counter.getAsLong(), r0 = loop.rxPackets(), x0 = loop.txPackets(), k0 = loop.kicks();
        long l0 = lost.getAsLong();
        long a0 = THREADS.getThreadAllocatedBytes(t.threadId());
        long g0 = gcCount();
        long left = endAt - System.nanoTime();
        if (left > 0) {
            awaitLoop(t, left);
        }
        long t1 = System.nanoTime();
        long c1 = counter.getAsLong(), r1 = loop.rxPackets(), x1 = loop.txPackets(), k1 = loop.kicks();
        long l1 = lost.getAsLong();
        long a1 = THREADS.getThreadAllocatedBytes(t.threadId());
        long g1 = gcCount();
        stop = true;
        t.join(5000);
        if (t.isAlive()) {
            throw new IllegalStateException("loop thread did not stop");
        }
        // Read while the loop still spins: leaving the loop is a branch C2 never saw taken, and the
        // deoptimization it causes may materialize a few objects; that is the exit, not the loop.
        // A loop that ended by itself (count reached) is measured up to its exit instead.
        if (a1 < 0) {
            a1 = allocatedAtExit;
        }
        long alloc = a0 >= 0 && a1 >= 0 ? a1 - a0 : -1;
        return new Window((t1 - t0) / 1e9, c1 - c0, r1 - r0, x1 - x0, k1 - k0, alloc, g1 - g0,
                (exitNanos - begin) / 1e9, l1 - l0);
    }

    /** Ends a running window now (e.g. from a shutdown hook on SIGTERM); run() then returns as usual. */
    public void endEarly() {
        early.countDown();
    }

    /** Waits up to nanos for the loop to end by itself or for endEarly(). */
    private void awaitLoop(Thread t, long nanos) throws InterruptedException {
        long until = System.nanoTime() + nanos;
        while (t.isAlive() && early.getCount() > 0) {
            long left = until - System.nanoTime();
            if (left <= 0) {
                return;
            }
            early.await(Math.min(left, TimeUnit.MILLISECONDS.toNanos(50)), TimeUnit.NANOSECONDS);
        }
    }

    private void spin(Forwarder loop, BooleanSupplier finished) {
        int spins = idleSpins;
        long sleep = idleSleepNanos;
        int idle = 0;
        while (!stop) {
            if (loop.doWork() != 0) {
                idle = 0;
            } else if (finished.getAsBoolean()) {
                break;
            } else if (spins > 0 && ++idle >= spins) {
                LockSupport.parkNanos(sleep); // allocation-free; the thread is never unparked early
                idle = 0;
            }
        }
        allocatedAtExit = THREADS.getCurrentThreadAllocatedBytes();
        exitNanos = System.nanoTime();
    }

    public static long gcCount() {
        long n = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            n += Math.max(0, gc.getCollectionCount());
        }
        return n;
    }
}
