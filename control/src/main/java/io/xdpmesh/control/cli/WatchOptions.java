package io.xdpmesh.control.cli;

import java.time.Duration;
import picocli.CommandLine.Option;

/** {@code --watch/--interval/--count} and the loop they describe, shared by the commands that show rates. */
final class WatchOptions {
    @Option(names = "--watch", description = "Repeat every --interval and show rates")
    boolean watch;
    @Option(names = "--interval", defaultValue = "1s", converter = Durations.class,
            description = "Watch interval (default: ${DEFAULT-VALUE})")
    Duration interval;
    @Option(names = "--count", defaultValue = "0",
            description = "With --watch: stop after this many intervals (0: until interrupted)")
    int count;

    /** One round of the command's output; {@code seconds} is the time since the previous round. */
    interface Round {
        void show(double seconds) throws Exception;
    }

    /**
     * Runs {@code round} once, or with --watch every interval until --count rounds or an interrupt.
     * The sleep comes only between rounds, so {@code --count 1} returns at once.
     */
    void run(Round round) throws Exception {
        double seconds = interval.toMillis() / 1000.0;
        for (int i = 0; i == 0 || (watch && (count == 0 || i < count)); i++) {
            if (i > 0) {
                try {
                    Thread.sleep(interval.toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            round.show(seconds);
        }
    }
}
