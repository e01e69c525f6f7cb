package io.xdpmesh.control.handshake;

import io.xdpmesh.control.identity.IdentityStore;
import io.xdpmesh.control.session.IndexAllocator;
import io.xdpmesh.control.session.SessionSink;
import io.xdpmesh.control.tls.TlsSetup;
import io.xdpmesh.crypto.aead.PacketAead;
import io.xdpmesh.dataplane.session.HandshakeActivity;
import java.util.function.Function;

/** What the connection handlers share with the service. */
record Parts(IdentityStore store, TlsSetup tls, IndexAllocator indexes, SessionSink sink, HandshakeCounters counters,
             Function<byte[], ? extends PacketAead> aeads, HandshakeConfig config, HandshakeActivity activity) {}
