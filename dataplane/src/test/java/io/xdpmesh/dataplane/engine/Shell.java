package io.xdpmesh.dataplane.engine;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Runs shell commands with a bound on time; output and exit code together. */
public final class Shell {
    public record Result(int exit, String out) {}

    private Shell() {}

    public static Result run(int timeoutSeconds, String cmd) throws IOException {
        Path out = Files.createTempFile("xm-cmd", ".out");
        try {
            Process p = new ProcessBuilder("sh", "-c", cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
            int exit;
            try {
                if (p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                    exit = p.exitValue();
                } else {
                    p.descendants().forEach(ProcessHandle::destroyForcibly);
                    p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                    exit = -1;
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
            return new Result(exit, Files.readString(out, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
        }
    }

    public static String sh(String cmd) throws IOException {
        return sh(60, cmd);
    }

    /** Runs {@code cmd}, failing with its output unless it exits 0 within the bound. */
    public static String sh(int timeoutSeconds, String cmd) throws IOException {
        Result r = run(timeoutSeconds, cmd);
        if (r.exit() != 0) {
            throw new IOException("`" + cmd + "` failed (" + r.exit() + "): " + r.out());
        }
        return r.out();
    }

    /** Starts a background process (killed by the caller), output to a file. */
    public static Process background(String cmd, Path out) throws IOException {
        return new ProcessBuilder("sh", "-c", "exec " + cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
    }
}
