package io.xdpmesh.dataplane.policy;

import java.util.Arrays;

/**
 * A SPIFFE ID pattern: {@code spiffe://<trust domain>/<segment>/...}, where a segment (or the trust
 * domain) may be {@code *} to match exactly one segment of any value, and a final {@code **}
 * matches any remaining segments (zero or more). Matching happens when the policy is compiled,
 * never per packet.
 */
public final class SpiffeSelector {
    private static final String SCHEME = "spiffe://";
    private final String text;
    private final String[] parts; // trust domain, then path segments

    private SpiffeSelector(String text, String[] parts) {
        this.text = text;
        this.parts = parts;
    }

    public static SpiffeSelector parse(String text) {
        String t = text.trim();
        if (!t.startsWith(SCHEME)) {
            throw new IllegalArgumentException("selector '" + text + "' must start with " + SCHEME);
        }
        String[] parts = t.substring(SCHEME.length()).split("/", -1);
        for (int i = 0; i < parts.length; i++) {
            String p = parts[i];
            if (p.isEmpty()) {
                throw new IllegalArgumentException("selector '" + text + "' has an empty segment");
            }
            if (p.equals("**") && i != parts.length - 1) {
                throw new IllegalArgumentException("selector '" + text + "': ** may only be the last segment");
            }
            if (!p.equals("*") && !p.equals("**") && p.contains("*")) {
                throw new IllegalArgumentException("selector '" + text + "': * must be a whole segment");
            }
        }
        if (parts[0].equals("**")) {
            throw new IllegalArgumentException("selector '" + text + "': the trust domain cannot be **");
        }
        return new SpiffeSelector(t, parts);
    }

    /** True when the SPIFFE ID (already validated, {@code spiffe://td/path}) matches. */
    public boolean matches(String spiffeId) {
        if (!spiffeId.startsWith(SCHEME)) {
            return false;
        }
        String[] id = spiffeId.substring(SCHEME.length()).split("/", -1);
        boolean tail = parts[parts.length - 1].equals("**");
        int fixed = tail ? parts.length - 1 : parts.length;
        if (tail ? id.length < fixed : id.length != fixed) {
            return false;
        }
        for (int i = 0; i < fixed; i++) {
            if (!parts[i].equals("*") && !parts[i].equals(id[i])) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return text;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SpiffeSelector s && Arrays.equals(parts, s.parts);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(parts);
    }
}
