package io.xdpmesh.perf.gen;

import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.xdpmesh.perf.loop.LoopRunner;
import io.xdpmesh.perf.xsk.XskPort;
import io.xdpmesh.xdp.xsk.loop.TxOnly;

/**
 * The packet generator: UDP over AF_XDP from one TX queue, flat out or rate limited, bounded by
 * count and time. See {@link GeneratorOptions#USAGE}.
 */
public final class Generator {
    private Generator() {
    }

    public static void main(String[] argv) throws Exception {
        GeneratorOptions o;
        try {
            o = GeneratorOptions.parse(argv);
        } catch (IllegalArgumentException e) {
            System.err.println("generator: " + e.getMessage());
            System.err.print(GeneratorOptions.USAGE);
            System.exit(2);
            return;
        }
        UdpFlows flows = o.packets();
        try (XskPort port = XskPort.open(o.netns(), o.dev(), o.queue(), false)) {
            flows.prewrite(port.umem().segment(), port.umem().frameCount(), port.umem().frameSize());
            TxOnly tx = new TxOnly(port.socket(), port.umem().frames(), flows, o.batch(), o.count(), o.rate());
            System.out.printf(Locale.ROOT, "gen: dev=%s queue=%d mode=%s %s flows=%d size=%d rate=%s%n", o.dev(),
                    o.queue(), port.socket().mode(), o.src().getHostAddress() + " -> " + o.dst().getHostAddress(),
                    o.flows(), o.size(), o.rate() == 0 ? "flat-out" : o.rate() + "pps");
            // The rate and the allocation check cover the run after a short warm-up (JIT, first-call
            // linkage of the kick downcalls); sent/completed cover the whole run.
            double warmup = Math.min(4.0, o.seconds() / 3);
            // SIGTERM ends the run early but still prints the summary (the bench stops a generator it
            // started for an unknown number of rounds this way).
            LoopRunner runner = new LoopRunner();
            CountDownLatch printed = new CountDownLatch(1);
            Thread hook = new Thread(() -> {
                runner.endEarly();
                try {
                    printed.await(5, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "generator-stop");
            Runtime.getRuntime().addShutdownHook(hook);
            LoopRunner.Window w = runner.run(tx, tx::txPackets, tx::done, warmup, o.seconds(), () -> {
            });
            // Frames still in flight: wait for their completions (bounded).
            // Frames still in flight: kick and collect their completions (bounded) without sending more.
            long completed = tx.completed();
            long until = System.nanoTime() + 1_000_000_000L;
            while (completed < tx.txPackets() && System.nanoTime() < until) {
                port.socket().kickTx();
                completed += port.socket().completion().drainTo(port.umem().frames(), Integer.MAX_VALUE);
            }
            // Ended by --count before the warm-up was over: the rate is over the whole run.
            boolean whole = w.seconds() <= 0 || w.count() == 0;
            double secs = whole ? w.totalSeconds() : w.seconds();
            long n = whole ? tx.txPackets() : w.count();
            System.out.printf(Locale.ROOT,
                    "gen: sent=%d completed=%d secs=%.3f pps=%.0f mbps=%.1f kicks=%d loop-alloc-bytes=%d gc=%d%n",
                    tx.txPackets(), completed, w.totalSeconds(), n / secs, n * o.size() * 8 / secs / 1e6,
                    w.kicks(), w.allocatedBytes(), w.gcCount());
            System.out.flush();
            printed.countDown();
        }
    }
}
