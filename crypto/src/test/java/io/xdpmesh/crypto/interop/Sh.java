package io.xdpmesh.crypto.interop;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** Runs commands for the kernel tests: bounded in time, output captured, failures with context. */
final class Sh {
    private Sh() {}

    record Result(int exit, String out) {}

    static Result run(long timeoutSeconds, String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            p.getOutputStream().close();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                return new Result(-1, "timed out after " + timeoutSeconds + " s: " + String.join(" ", cmd));
            }
            return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            return new Result(-1, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(-1, "interrupted");
        }
    }

    /** Runs and fails with the command's output when it exits non-zero. */
    static String ok(String... cmd) {
        Result r = run(30, cmd);
        if (r.exit() != 0) {
            throw new IllegalStateException("command failed (" + r.exit() + "): " + String.join(" ", cmd) + "\n" + r.out());
        }
        return r.out();
    }

    /** Ignores failure: for teardown. */
    static void quiet(String... cmd) {
        run(15, cmd);
    }

    /** A background process whose output lines are collected as they arrive. */
    static final class Background implements AutoCloseable {
        final Process process;
        final String name;
        private final BlockingQueue<String> fresh = new LinkedBlockingQueue<>();
        private final List<String> all = new ArrayList<>();

        Background(String name, List<String> cmd) throws IOException {
            this.name = name;
            this.process = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            Thread reader = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = r.readLine()) != null) {
                        synchronized (all) {
                            all.add(line);
                        }
                        fresh.add(line);
                    }
                } catch (IOException ignored) {
                    // the process ended
                }
            }, name + "-out");
            reader.setDaemon(true);
            reader.start();
        }

        Background(String name, String... cmd) throws IOException {
            this(name, Arrays.asList(cmd));
        }

        /** Waits (bounded) for a line matching {@code p}; returns it or null on timeout. */
        String await(Predicate<String> p, long timeoutMillis) throws InterruptedException {
            long end = System.nanoTime() + timeoutMillis * 1_000_000L;
            while (true) {
                long left = end - System.nanoTime();
                if (left <= 0) {
                    return null;
                }
                String line = fresh.poll(left, TimeUnit.NANOSECONDS);
                if (line != null && p.test(line)) {
                    return line;
                }
            }
        }

        List<String> lines() {
            synchronized (all) {
                return List.copyOf(all);
            }
        }

        long count(Predicate<String> p) {
            return lines().stream().filter(p).count();
        }

        String transcript() {
            return name + " output:\n  " + String.join("\n  ", lines());
        }

        /** SIGTERM, then SIGKILL if it does not exit within 5 s. */
        @Override
        public void close() throws InterruptedException {
            if (process.isAlive()) {
                process.destroy();
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            }
        }
    }
}
