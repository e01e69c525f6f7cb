package io.xdpmesh.control.identity;

/** Something that feeds local SVIDs and trust bundles into an {@link IdentityStore}. */
public interface SvidSource extends AutoCloseable {
    /** Loads what is there now into the store (so the agent starts with its identities), then keeps it current. */
    void start() throws Exception;

    /** A one-line description for status output. */
    String describe();

    @Override
    void close();
}
