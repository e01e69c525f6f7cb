package io.xdpmesh.control.identity;

import io.spiffe.bundle.x509bundle.X509Bundle;
import io.spiffe.spiffeid.SpiffeId;
import io.spiffe.spiffeid.TrustDomain;
import io.spiffe.svid.x509svid.X509Svid;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The agent's current local SVIDs (one per workload identity on this node, plus the node's own)
 * and trust bundles, fed by the SVID sources, read by the TLS key and trust managers. Each update
 * gets a new generation, so a TLS handshake that picked an SVID keeps that exact SVID (key and
 * chain) even if a rotation lands in the middle of it.
 */
public final class IdentityStore {
    /** An SVID as held by the store: the generation names it for the key manager. */
    public record Entry(X509Svid svid, long generation) {}

    private final Map<SpiffeId, Entry> current = new ConcurrentHashMap<>();
    private final Map<Long, Entry> byGeneration = new ConcurrentHashMap<>();
    private final Map<TrustDomain, X509Bundle> bundles = new ConcurrentHashMap<>();
    private final CopyOnWriteArrayList<IdentityListener> listeners = new CopyOnWriteArrayList<>();
    private final AtomicLong generations = new AtomicLong();

    public void addListener(IdentityListener l) {
        listeners.add(l);
    }

    /** Publishes {@code svid} as the current SVID of its SPIFFE ID; listeners hear of a change. */
    public void put(X509Svid svid) {
        Entry e = new Entry(svid, generations.incrementAndGet());
        byGeneration.put(e.generation(), e);
        Entry old = current.put(svid.getSpiffeId(), e);
        if (old != null) {
            // Keep the previous generation for handshakes that picked it a moment ago; older ones of
            // this identity go (other identities' current generations must stay: they are in use).
            SpiffeId id = svid.getSpiffeId();
            byGeneration.entrySet().removeIf(g -> g.getKey() < old.generation()
                    && g.getValue().svid().getSpiffeId().equals(id));
        }
        for (IdentityListener l : listeners) {
            l.svidChanged(svid.getSpiffeId(), old == null ? null : old.svid(), svid);
        }
    }

    public void remove(SpiffeId id) {
        Entry old = current.remove(id);
        if (old != null) {
            byGeneration.remove(old.generation());
        }
    }

    public void putBundle(X509Bundle bundle) {
        bundles.put(bundle.getTrustDomain(), bundle);
    }

    public Optional<Entry> current(SpiffeId id) {
        return Optional.ofNullable(current.get(id));
    }

    public Optional<Entry> generation(long generation) {
        return Optional.ofNullable(byGeneration.get(generation));
    }

    public Optional<X509Bundle> bundle(TrustDomain td) {
        return Optional.ofNullable(bundles.get(td));
    }

    public Map<SpiffeId, Entry> snapshot() {
        return Map.copyOf(current);
    }

    public Map<TrustDomain, X509Bundle> bundles() {
        return Map.copyOf(bundles);
    }
}
