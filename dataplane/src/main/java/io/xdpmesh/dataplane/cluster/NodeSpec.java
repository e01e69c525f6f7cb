package io.xdpmesh.dataplane.cluster;

import java.net.InetAddress;

/** A node: its name, the uplink interface its agent owns, and the address peers tunnel to. */
public record NodeSpec(String name, String uplink, InetAddress address) {}
