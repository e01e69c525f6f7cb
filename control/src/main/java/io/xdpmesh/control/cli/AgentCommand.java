package io.xdpmesh.control.cli;

import io.xdpmesh.control.agent.AgentOptions;
import io.xdpmesh.control.agent.Cleanup;
import io.xdpmesh.control.agent.NodeAgent;
import io.xdpmesh.control.handshake.HandshakeConfig;
import io.xdpmesh.xdp.bpf.XdpLoader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "agent", mixinStandardHelpOptions = true,
        description = {"Runs the node agent in the foreground until SIGTERM/SIGINT: attaches (or re-adopts) the XDP",
                "programs on the node's pod interfaces and uplink, runs the AF_XDP dataplane thread(s), and",
                "authenticates identity pairs with TLS 1.3 (SPIFFE SVIDs) on demand. Needs root, or CAP_NET_ADMIN,",
                "CAP_BPF, CAP_NET_RAW, CAP_PERFMON and CAP_IPC_LOCK (CAP_SYS_ADMIN only if it must mount --bpffs).",
                "On stop the programs stay attached and pinned: pods' IP traffic is dropped until an agent",
                "runs again (fail closed). --cleanup detaches and unpins everything of --node instead.",
                "Run it in the node's network namespace (e.g. `ip netns exec <ns> xdpmesh agent ...`)."})
final class AgentCommand implements Runnable {
    @Option(names = "--config", description = "The cluster file (YAML); watched, changes apply without a restart")
    Path config;
    @Option(names = "--node", required = true, description = "This node's name in the cluster file")
    String node;
    @Option(names = "--state-dir", defaultValue = "/run/xdpmesh", description = "State directory, mode 0700 (default: ${DEFAULT-VALUE})")
    Path stateDir;
    @Option(names = "--identity-dir", description = "Directory of SVID directories (spiffe-helper layout; `xdpmesh ca issue` writes it)")
    Path identityDir;
    @Option(names = "--workload-api", description = "SPIFFE Workload API socket (unix:/path) instead of --identity-dir")
    String workloadApi;
    @Option(names = "--listen", description = "Handshake listen address addr:port (default: the node's address from the cluster file, port 4250)")
    String listen;
    @Option(names = "--bpffs", defaultValue = "/sys/fs/bpf", description = "bpf filesystem for the pins (default: ${DEFAULT-VALUE});"
            + " `ip netns exec` shows a fresh /sys without it: pass a bpffs mounted outside")
    Path bpffs;
    @Option(names = "--rekey-after", defaultValue = "120s", converter = Durations.class,
            description = "Rekey pairs this node initiated after this long (WireGuard REKEY_AFTER_TIME, default ${DEFAULT-VALUE})")
    Duration rekeyAfter;
    @Option(names = "--renew-lead", defaultValue = "15s", converter = Durations.class,
            description = "Make the next keypair this long before the current one is due or expires (default ${DEFAULT-VALUE})")
    Duration renewLead;
    @Option(names = "--pending-timeout", defaultValue = "5s", converter = Durations.class,
            description = "How long first packets of a pair are held for its handshake (default ${DEFAULT-VALUE})")
    Duration pendingTimeout;
    @Option(names = "--dead-peer", defaultValue = "5s", converter = Durations.class,
            description = "Re-authenticate a pair that sends but has received nothing this long, e.g. after the peer agent"
                    + " restarted and lost its keys (WireGuard waits KEEPALIVE+REKEY_TIMEOUT; default ${DEFAULT-VALUE})")
    Duration deadPeer;
    @Option(names = "--idle", defaultValue = "backoff", description = "Dataplane idle strategy: backoff (a short spin and"
            + " yield, then sleep in poll(2) on the thread's sockets, woken by a packet or a command: little CPU when idle),"
            + " yield, or busy-spin (a core at 100%% per thread, no wake-up latency); yield and busy-spin also sleep in"
            + " poll(2) while a new pair's first packets wait for its handshake, which needs the CPU; default ${DEFAULT-VALUE}")
    String idle;
    @Option(names = "--threads", defaultValue = "1", description = "Dataplane threads, 1-8 (default: ${DEFAULT-VALUE})."
            + " Thread t serves queue q of every interface with q mod N = t, each with its own UMEM and sockets; the"
            + " uplink needs at least N queues (start fails otherwise), a pod interface with fewer queues is not reached"
            + " from the threads beyond them (drop.pod_queue_not_on_thread). Counters are per thread, summed by `stats`;"
            + " each thread records its own flows, merged by `flows`.")
    int threads;
    @Option(names = "--warmup", defaultValue = "5000", description = "Throw-away TLS handshakes at start-up (in memory,"
            + " then over loopback; each phase until handshake times stop falling and the JIT has stopped compiling, at most"
            + " 15 s in all) and, beside them,"
            + " packets sealed and opened until the cipher allocates nothing (C2 has compiled it; at most 200 per handshake"
            + " and 30 s), so the first pair's handshake and packets run JIT-compiled (default: ${DEFAULT-VALUE}; 0: none)")
    int warmup;
    @Option(names = "--cleanup", description = "Detach and unpin the programs of --node and remove its state files, then exit")
    boolean cleanup;
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        if (cleanup) {
            runCleanup();
            return;
        }
        if (config == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--config is required (the cluster file)");
        }
        if ((identityDir == null) == (workloadApi == null)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "give exactly one of --identity-dir and --workload-api");
        }
        AgentOptions opt = new AgentOptions(config, node, stateDir, identityDir, workloadApi, listenAddress(), bpffs,
                rekeyAfter, renewLead, pendingTimeout, deadPeer, idleMode(), warmup, threads);
        NodeAgent agent;
        try {
            agent = NodeAgent.start(opt);
        } catch (Exception e) {
            throw new IllegalStateException(Main.oneLine(e), e);
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            agent.close(false);
            stopped.countDown();
        }, "xdpmesh-agent-stop"));
        spec.commandLine().getOut().println("xdpmesh agent " + node + " running (pid " + ProcessHandle.current().pid()
                + ", state " + stateDir + ", handshake " + agent.listenAddress() + ")");
        spec.commandLine().getOut().flush();
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private io.xdpmesh.dataplane.engine.IdleMode idleMode() {
        try {
            return io.xdpmesh.dataplane.engine.IdleMode.parse(idle);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    private InetSocketAddress listenAddress() {
        if (listen == null) {
            return null;
        }
        int colon = listen.lastIndexOf(':');
        try {
            String host = colon < 0 ? listen : listen.substring(0, colon);
            int port = colon < 0 ? HandshakeConfig.DEFAULT_PORT : Integer.parseInt(listen.substring(colon + 1));
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            return new InetSocketAddress(InetAddress.ofLiteral(host), port);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--listen '" + listen + "': expected <ip>:<port>");
        }
    }

    private void runCleanup() {
        var st = StatusCommand.readStatus(stateDir);
        if (st != null && StatusCommand.alive(st)) {
            throw new IllegalStateException("the agent (pid " + StatusCommand.pid(st) + ") is running with state dir "
                    + stateDir + ": stop it first");
        }
        try {
            XdpLoader.forAgent(bpffs, node); // validates the name
            for (String line : Cleanup.run(node, bpffs, stateDir)) {
                spec.commandLine().getOut().println(line);
            }
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }
}
