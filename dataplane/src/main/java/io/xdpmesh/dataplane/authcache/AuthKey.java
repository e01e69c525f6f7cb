package io.xdpmesh.dataplane.authcache;

import net.openhft.chronicle.bytes.BytesIn;
import net.openhft.chronicle.bytes.BytesMarshallable;
import net.openhft.chronicle.bytes.BytesOut;

/**
 * Auth-cache key: (local identity, remote identity, remote node, auth type), the identities and
 * node as {@link IdentityHash}es. Mutable so one instance per thread serves every lookup.
 */
public final class AuthKey implements BytesMarshallable {
    public static final int BYTES = 8 + 8 + 8 + 1;

    public long localIdentity;
    public long remoteIdentity;
    public long remoteNode;
    public int authType;

    public AuthKey set(long localIdentity, long remoteIdentity, long remoteNode, AuthType type) {
        this.localIdentity = localIdentity;
        this.remoteIdentity = remoteIdentity;
        this.remoteNode = remoteNode;
        this.authType = type.ordinal();
        return this;
    }

    @Override
    public void readMarshallable(BytesIn<?> in) {
        localIdentity = in.readLong();
        remoteIdentity = in.readLong();
        remoteNode = in.readLong();
        authType = in.readUnsignedByte();
    }

    @Override
    public void writeMarshallable(BytesOut<?> out) {
        out.writeLong(localIdentity);
        out.writeLong(remoteIdentity);
        out.writeLong(remoteNode);
        out.writeUnsignedByte(authType);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AuthKey k && k.localIdentity == localIdentity && k.remoteIdentity == remoteIdentity
                && k.remoteNode == remoteNode && k.authType == authType;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(localIdentity * 31 + remoteIdentity) ^ Long.hashCode(remoteNode) ^ authType;
    }

    @Override
    public String toString() {
        return String.format("AuthKey[local=%016x remote=%016x node=%016x type=%s]",
                localIdentity, remoteIdentity, remoteNode, AuthType.ofCode(authType));
    }
}
