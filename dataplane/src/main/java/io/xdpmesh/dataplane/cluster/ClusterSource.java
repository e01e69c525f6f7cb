package io.xdpmesh.dataplane.cluster;

import java.util.function.Consumer;

/**
 * Where an agent learns the cluster: the YAML cluster file today; Kubernetes or etcd later.
 * {@link #load()} gives the current view; {@link #watch} delivers each later change.
 */
public interface ClusterSource extends AutoCloseable {
    ClusterConfig load() throws ClusterConfigException;

    /** Calls {@code onChange} from a source-owned thread for every valid new configuration. */
    void watch(Consumer<ClusterConfig> onChange, Consumer<ClusterConfigException> onError);

    @Override
    void close();
}
