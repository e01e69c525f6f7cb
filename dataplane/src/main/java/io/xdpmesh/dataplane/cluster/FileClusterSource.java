package io.xdpmesh.dataplane.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The cluster file as a {@link ClusterSource}. Changes are found by polling the content (not the
 * mtime alone: ConfigMap mounts swap a symlink and keep old timestamps), and an invalid edit is
 * reported and ignored so the running configuration stays in force.
 */
public final class FileClusterSource implements ClusterSource {
    private final Path file;
    private final Duration pollInterval;
    private ScheduledExecutorService poller;
    private byte[] lastContent;

    public FileClusterSource(Path file, Duration pollInterval) {
        this.file = file;
        this.pollInterval = pollInterval;
    }

    public FileClusterSource(Path file) {
        this(file, Duration.ofSeconds(1));
    }

    @Override
    public synchronized ClusterConfig load() throws ClusterConfigException {
        byte[] content = read();
        ClusterConfig cfg = ClusterFileParser.parse(new String(content, StandardCharsets.UTF_8), file.toString());
        lastContent = content;
        return cfg;
    }

    private byte[] read() throws ClusterConfigException {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new ClusterConfigException(file + ": cannot read the cluster file: " + e, e);
        }
    }

    @Override
    public synchronized void watch(Consumer<ClusterConfig> onChange, Consumer<ClusterConfigException> onError) {
        if (poller != null) {
            throw new IllegalStateException("already watching " + file);
        }
        poller = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "xdpmesh-cluster-file");
            t.setDaemon(true);
            return t;
        });
        poller.scheduleWithFixedDelay(() -> poll(onChange, onError),
                pollInterval.toMillis(), pollInterval.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void poll(Consumer<ClusterConfig> onChange, Consumer<ClusterConfigException> onError) {
        ClusterConfig cfg;
        synchronized (this) {
            byte[] content;
            try {
                content = read();
            } catch (ClusterConfigException e) {
                onError.accept(e);
                return;
            }
            if (Arrays.equals(content, lastContent)) {
                return;
            }
            lastContent = content; // report a bad edit once, not every poll
            try {
                cfg = ClusterFileParser.parse(new String(content, StandardCharsets.UTF_8), file.toString());
            } catch (ClusterConfigException e) {
                onError.accept(e);
                return;
            }
        }
        onChange.accept(cfg);
    }

    @Override
    public synchronized void close() {
        if (poller != null) {
            poller.shutdownNow();
            poller = null;
        }
    }
}
