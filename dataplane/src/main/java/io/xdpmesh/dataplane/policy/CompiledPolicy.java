package io.xdpmesh.dataplane.policy;

import java.util.List;

/**
 * Rules evaluated once for every pair of known identities (first matching rule wins, else the
 * default) into a flat verdict matrix, so the hot path answers with one array read. Identity
 * numbers are the dense indexes of {@code identities}; an unknown identity (-1) gets the default.
 * Immutable: the control plane compiles a new one when identities or rules change and publishes
 * it with a single volatile write.
 */
public final class CompiledPolicy {
    /** Past this many identities the matrix (n^2 bytes) would be too large to precompute. */
    public static final int MAX_IDENTITIES = 8192;

    private final int n;
    private final byte[] matrix;
    private final Verdict defaultVerdict;

    private CompiledPolicy(int n, byte[] matrix, Verdict defaultVerdict) {
        this.n = n;
        this.matrix = matrix;
        this.defaultVerdict = defaultVerdict;
    }

    public static CompiledPolicy compile(List<String> identities, List<PolicyRule> rules, Verdict defaultVerdict) {
        int n = identities.size();
        if (n > MAX_IDENTITIES) {
            throw new IllegalArgumentException(n + " identities exceed the policy matrix limit of " + MAX_IDENTITIES);
        }
        // Which rules can apply to each identity as source / destination: n*r checks, not n*n*r.
        int r = rules.size();
        boolean[][] asSrc = new boolean[n][r];
        boolean[][] asDst = new boolean[n][r];
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < r; k++) {
                asSrc[i][k] = rules.get(k).from().matches(identities.get(i));
                asDst[i][k] = rules.get(k).to().matches(identities.get(i));
            }
        }
        byte[] m = new byte[n * n];
        for (int s = 0; s < n; s++) {
            for (int d = 0; d < n; d++) {
                Verdict v = defaultVerdict;
                for (int k = 0; k < r; k++) {
                    if (asSrc[s][k] && asDst[d][k]) {
                        v = rules.get(k).verdict();
                        break;
                    }
                }
                m[s * n + d] = (byte) v.ordinal();
            }
        }
        return new CompiledPolicy(n, m, defaultVerdict);
    }

    /** Hot path: the verdict ordinal for a pair of identity numbers; allocation-free. */
    public int verdictOrdinal(int srcIdentity, int dstIdentity) {
        if (srcIdentity < 0 || dstIdentity < 0 || srcIdentity >= n || dstIdentity >= n) {
            return defaultVerdict.ordinal();
        }
        return matrix[srcIdentity * n + dstIdentity];
    }

    public Verdict verdict(int srcIdentity, int dstIdentity) {
        return Verdict.ofOrdinal(verdictOrdinal(srcIdentity, dstIdentity));
    }

    public Verdict defaultVerdict() {
        return defaultVerdict;
    }

    public int identityCount() {
        return n;
    }
}
