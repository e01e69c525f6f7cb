package io.xdpmesh.control.agent;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Shell commands for the end-to-end tests, bounded in time, output and exit code together. */
final class Sh {
    record Result(int exit, String out) {}

    private Sh() {}

    static Result run(int timeoutSeconds, String cmd) throws IOException {
        Path out = Files.createTempFile("xm-e2e", ".out");
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

    static String ok(String cmd) throws IOException {
        Result r = run(90, cmd);
        if (r.exit() != 0) {
            throw new IOException("`" + cmd + "` failed (" + r.exit() + "): " + r.out());
        }
        return r.out();
    }

    static Process background(String cmd, Path out) throws IOException {
        return new ProcessBuilder("sh", "-c", "exec " + cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
    }
}
