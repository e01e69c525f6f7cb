package io.xdpmesh.perf.xsk;

import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

import io.xdpmesh.perf.cli.Args;
import io.xdpmesh.perf.gen.GeneratorOptions;
import io.xdpmesh.perf.gen.UdpFlows;
import io.xdpmesh.perf.loop.LoopRunner;
import io.xdpmesh.xdp.sys.ErrnoException;
import io.xdpmesh.xdp.xsk.XskStatistics;
import io.xdpmesh.xdp.xsk.loop.Forwarder;
import io.xdpmesh.xdp.xsk.loop.L2Fwd;
import io.xdpmesh.xdp.xsk.loop.RxDrop;
import io.xdpmesh.xdp.xsk.loop.TxOnly;

/**
 * The Java side of `perf/run xsk`: one of the xdp/ loops (rxdrop, txonly, l2fwd) on one socket for
 * a bounded time, with the same output as the C reference (perf/native/xskref.c):
 * "running ..." when the loop spins, then
 * "result impl=java mode=M pps=.. rx=.. tx=.. secs=.. kicks=.." over the window after the warm-up,
 * and "alloc impl=java mode=M loop-alloc-bytes=.. gc=.." for the same window.
 */
public final class XskBench {
    static final String USAGE = """
            usage: xskbench rxdrop|l2fwd|txonly --dev IF [--netns NAME] [--queue N] [--batch N]
                            [--seconds S] [--warmup S] [--bpffs DIR] [--idle-spins N --idle-sleep-us U]
                            [txonly: the generator's options]
              --idle-spins N --idle-sleep-us U: sleep U us after N idle iterations (default 0: busy poll)
            """;

    private XskBench() {
    }

    public static void main(String[] argv) throws Exception {
        Set<String> known = new HashSet<>(Set.of("dev", "netns", "queue", "batch", "seconds", "warmup", "bpffs",
                "idle-spins", "idle-sleep-us"));
        known.addAll(Set.of("src-mac", "dst-mac", "src-ip", "dst-ip", "sport", "dport", "flows", "size", "count",
                "rate"));
        String mode;
        Args a;
        double seconds;
        double warmup;
        int batch;
        int idleSpins;
        long idleSleepUs;
        try {
            a = Args.parse(argv, known, Set.of());
            mode = a.positional().isEmpty() ? "" : a.positional().getFirst();
            if (!Set.of("rxdrop", "l2fwd", "txonly").contains(mode)) {
                throw new IllegalArgumentException("mode must be rxdrop, l2fwd or txonly");
            }
            seconds = a.real("seconds", 7, 0.5, 3600);
            warmup = a.real("warmup", 2, 0, seconds - 0.1);
            batch = (int) a.num("batch", 64, 1, 2048);
            idleSpins = (int) a.num("idle-spins", 0, 0, 1_000_000);
            idleSleepUs = a.num("idle-sleep-us", 0, 0, 100_000);
        } catch (IllegalArgumentException e) {
            System.err.println("xskbench: " + e.getMessage());
            System.err.print(USAGE);
            System.exit(2);
            return;
        }
        boolean txonly = mode.equals("txonly");
        GeneratorOptions g = txonly ? GeneratorOptions.from(a) : null;
        String dev = a.required("dev");
        int queue = (int) a.num("queue", 0, 0, 255);
        java.nio.file.Path bpffs = a.has("bpffs") ? java.nio.file.Path.of(a.str("bpffs", null)) : null;
        try (XskPort port = XskPort.open(a.str("netns", null), dev, queue, !txonly, bpffs)) {
            Forwarder loop;
            LongSupplier counter;
            BooleanSupplier finished = () -> false;
            var frames = port.umem().frames();
            switch (mode) {
                case "rxdrop" -> {
                    RxDrop r = new RxDrop(port.socket(), frames, batch);
                    loop = r;
                    counter = r::rxPackets;
                }
                case "l2fwd" -> {
                    L2Fwd l = new L2Fwd(port.socket(), frames, batch);
                    loop = l;
                    counter = l::rxPackets;
                }
                default -> {
                    UdpFlows flows = g.packets();
                    flows.prewrite(port.umem().segment(), port.umem().frameCount(), port.umem().frameSize());
                    TxOnly t = new TxOnly(port.socket(), frames, flows, batch, g.count(), g.rate());
                    loop = t;
                    counter = t::completed;
                    finished = t::done;
                }
            }
            String m = mode;
            // Frames that reached the socket but were dropped (rx ring full, no fill frame): XDP_STATISTICS.
            XskStatistics st = new XskStatistics();
            LongSupplier lost = () -> {
                try {
                    port.socket().statistics(st);
                } catch (ErrnoException e) {
                    throw new IllegalStateException(e);
                }
                return st.rxDropped + st.rxRingFull;
            };
            LoopRunner.Window w = new LoopRunner(idleSpins, idleSleepUs * 1000).run(loop, counter, lost, finished, warmup, seconds, () -> {
                System.out.printf(Locale.ROOT, "running impl=java mode=%s if=%s queue=%d batch=%d socket=%s%n", m,
                        dev, queue, batch, port.socket().mode());
                System.out.flush();
            });
            System.out.printf(Locale.ROOT, "result impl=java mode=%s pps=%.0f rx=%d tx=%d secs=%.3f kicks=%d lost=%d%n",
                    mode, w.rate(), w.rx(), w.tx(), w.seconds(), w.kicks(), w.lost());
            System.out.printf(Locale.ROOT, "alloc impl=java mode=%s loop-alloc-bytes=%d gc=%d%n", mode,
                    w.allocatedBytes(), w.gcCount());
        }
    }
}
