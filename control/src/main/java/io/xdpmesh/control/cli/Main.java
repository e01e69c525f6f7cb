package io.xdpmesh.control.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code xdpmesh}: the operator's command line. Exit codes: 0 ok, 1 the command failed (one line
 * on stderr says why), 2 bad usage.
 */
@Command(name = "xdpmesh", mixinStandardHelpOptions = true, version = "xdpmesh 0.1.0",
        description = "Mutually authenticated, encrypted pod connectivity (AF_XDP dataplane, TLS 1.3 SPIFFE auth, WireGuard transport).",
        subcommands = {CaCommand.class, StatsCommand.class, CacheCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required (ca, stats, cache)");
    }

    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((e, line, parse) -> {
            line.getErr().println("xdpmesh " + String.join(" ", parse.originalArgs().stream().limit(2).toList())
                    + ": " + oneLine(e));
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
        System.exit(commandLine().execute(args));
    }
}
