package io.xdpmesh.control.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code xdpmesh}: the operator's command line. Exit codes: 0 ok, 1 the command failed (one line
 * on stderr says why), 2 bad usage.
 */
@Command(name = "xdpmesh", mixinStandardHelpOptions = true, version = "xdpmesh 0.1.0",
        description = "Mutually authenticated, encrypted pod connectivity (AF_XDP dataplane, TLS 1.3 SPIFFE auth, WireGuard transport).",
        subcommands = {AgentCommand.class, StatusCommand.class, FlowsCommand.class, StatsCommand.class, CacheCommand.class,
                CaCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    static {
        // One line per log record (set before java.util.logging starts).
        if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
            System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tT.%1$tL %4$s %3$s: %5$s%6$s%n");
        }
    }

    /** Chronicle's start-up INFO lines are noise for operators; held here so the setting sticks. */
    private static final java.util.logging.Logger CHRONICLE = java.util.logging.Logger.getLogger("net.openhft");

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required (agent, status, flows, stats, cache, ca)");
    }

    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        // The descriptions are written as lines of up to ~110 columns; picocli's default 80 re-wraps them mid-sentence.
        cl.setUsageHelpWidth(120);
        cl.setExecutionExceptionHandler((e, line, parse) -> {
            line.getErr().println(line.getCommandSpec().qualifiedName() + ": " + oneLine(e));
            return 1;
        });
        return cl;
    }

    static String oneLine(Throwable e) {
        String m = e.getMessage();
        if (m == null || m.isBlank()) {
            m = e.getClass().getSimpleName();
        }
        return m.replace('\n', ' ');
    }

    public static void main(String[] args) {
        CHRONICLE.setLevel(java.util.logging.Level.WARNING);
        System.exit(commandLine().execute(args));
    }
}
