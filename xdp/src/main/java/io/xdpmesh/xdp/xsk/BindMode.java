package io.xdpmesh.xdp.xsk;

/** How to bind: try zero-copy then fall back to copy (AUTO), or force one. */
public enum BindMode {
    AUTO, ZEROCOPY, COPY
}
