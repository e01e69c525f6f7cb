package io.xdpmesh.dataplane.cluster;

/** A cluster configuration that cannot be used; the message names the file and the field. */
public class ClusterConfigException extends Exception {
    private static final long serialVersionUID = 1L;

    public ClusterConfigException(String message) {
        super(message);
    }

    public ClusterConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
