package io.xdpmesh.dataplane.policy;

/** One rule: traffic from identities matching {@code from} to identities matching {@code to}. */
public record PolicyRule(SpiffeSelector from, SpiffeSelector to, Verdict verdict) {
    public boolean matches(String src, String dst) {
        return from.matches(src) && to.matches(dst);
    }
}
