package io.xdpmesh.control.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --state-dir}: where the reading commands find the files the agent publishes. */
final class StateDirOption {
    @Option(names = "--state-dir", defaultValue = "/run/xdpmesh",
            description = "The agent's state directory (default: ${DEFAULT-VALUE})")
    Path stateDir;
}
