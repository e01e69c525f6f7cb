package io.xdpmesh.perf.firstpacket;

import io.xdpmesh.control.ca.DevCa;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Makes a dev CA and many SVIDs in one JVM (one `xdpmesh ca issue` per SVID would start a JVM
 * each): {@code IssueSvids <ca dir> <trust domain> <out dir>=<spiffe id> ...}. A "node:<name>" in
 * place of the ID issues the node identity.
 */
public final class IssueSvids {
    private IssueSvids() {}

    public static void main(String[] args) throws Exception {
        DevCa ca = DevCa.init(Path.of(args[0]), args[1], Duration.ofDays(1), true);
        for (int i = 2; i < args.length; i++) {
            int eq = args[i].indexOf('=');
            String id = args[i].substring(eq + 1);
            if (id.startsWith("node:")) {
                id = DevCa.nodeId(ca.trustDomain(), id.substring(5)).toString();
            }
            ca.issue(DevCa.IssueSpec.valid(id, Duration.ofHours(4)), Path.of(args[i].substring(0, eq)));
        }
        System.out.println("issued " + (args.length - 2) + " SVIDs; bundle " + ca.bundlePath());
    }
}
