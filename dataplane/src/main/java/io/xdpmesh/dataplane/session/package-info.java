/**
 * The interface between the agent (control/) and a dataplane thread.
 *
 * <h2>Dataplane to control: {@link io.xdpmesh.dataplane.session.AuthRequests}</h2>
 * When the first frame of an identity pair that policy says needs a session (verdict AUTH or
 * ENCRYPT, destination on another node) finds no usable session, the dataplane holds the frame in
 * its UMEM frame (pending queue, 128 per pair plus a global bound, oldest dropped first) and writes
 * ONE request for the pair into an Agrona many-to-one ring buffer, allocation-free. The agent
 * drains it with {@code poll(handler, limit)} and gets an {@link io.xdpmesh.dataplane.session.AuthRequest}:
 * local SPIFFE ID (the source workload on this node), remote SPIFFE ID, remote node name, the
 * verdict, and the dataplane's pair key and cluster generation (diagnostics). Further frames of
 * the pair are held without another request until the pair is resolved; if the ring is full the
 * held frames are dropped (AUTH_REQUEST_QUEUE_FULL) so the next frame asks again.
 *
 * <h2>Control to dataplane: {@link io.xdpmesh.dataplane.session.DataplaneCommands}</h2>
 * A lock-free many-to-one queue of commands the dataplane thread applies between batches:
 * <ul>
 *   <li>{@code installSession(localId, remoteId, remoteNode, keypair, expiresAtEpochMillis)}:
 *       installs (or rotates in) a {@link io.xdpmesh.crypto.transport.Keypair} into the pair's
 *       {@link io.xdpmesh.crypto.transport.PeerKeypairs} (initiator keypairs become current at once,
 *       responder keypairs wait in "next" and are used for sending only while nothing is current)
 *       and indexes its receiver index; the dataplane owns the keypair from then on and closes the
 *       ones that fall out. The held frames of the pair leave at once, in order. Both agents install
 *       mirror-image keypairs (each side's send key is the other's receive key; see
 *       crypto.tls.ExporterKeySchedule). Build the ciphers with {@link io.xdpmesh.dataplane.session.Aeads#create}.</li>
 *   <li>{@code failPair(localId, remoteId, remoteNode, FAILED | TIMEOUT)}: the held frames are
 *       dropped and counted as HANDSHAKE_FAILED / HANDSHAKE_TIMEOUT. Independently, the dataplane
 *       drops frames held longer than its pending timeout (default 5 s, REKEY_TIMEOUT) as
 *       HANDSHAKE_TIMEOUT, so nothing is held forever even if the agent never answers.</li>
 *   <li>{@code removeSession(...)}: forget the pair (expired, workload gone, policy changed).</li>
 *   <li>{@code updateCluster(config)}: new endpoint table and compiled policy, swapped in without
 *       stopping; the flow cache is invalidated, sessions are renumbered by name (and dropped when
 *       an identity or node is gone), held frames are re-evaluated under the new view.</li>
 * </ul>
 * Commands name pairs by SPIFFE ID and node name, so they stay valid across cluster updates.
 *
 * <h2>The auth cache</h2>
 * When the dataplane is configured with the Chronicle auth cache, a session is used only while
 * the pair's entry (local identity, remote identity, remote node, auth type, by
 * {@link io.xdpmesh.dataplane.authcache.IdentityHash}) is ESTABLISHED and unexpired; the agent
 * writes that entry (it holds no secrets) before installing the session. The dataplane checks it
 * on flow-cache misses only; per packet it checks the session's own expiry.
 *
 * <h2>What needs no session</h2>
 * Pairs on one node are forwarded locally under the same verdicts (deny drops, the rest pass):
 * the agent speaks for both identities and the packet never leaves the node, so there is nothing
 * to authenticate to a peer and no handshake. ALLOW across nodes is forwarded plain on the uplink.
 *
 * <h2>Known gap</h2>
 * AUTH (authenticated, payload in the clear) is sealed exactly like ENCRYPT for now: fail closed,
 * more protection than asked, at the cost of the encryption work policy did not require.
 */
package io.xdpmesh.dataplane.session;
