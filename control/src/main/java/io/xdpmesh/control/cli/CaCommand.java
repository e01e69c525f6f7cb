package io.xdpmesh.control.cli;

import io.spiffe.spiffeid.SpiffeId;
import io.xdpmesh.control.ca.DevCa;
import io.xdpmesh.control.ca.SvidLayout;
import io.xdpmesh.control.tls.SniNames;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "ca", mixinStandardHelpOptions = true,
        description = {"The built-in development CA (BouncyCastle, EC P-256): a trust domain's root (and intermediate),",
                "its trust bundle, and X509-SVIDs in spiffe-helper's file layout (one directory per identity:",
                "svid.pem = leaf then intermediate, svid_key.pem = PKCS#8 key, bundle.pem = trust bundle).",
                "For development and tests: the CA keys are files (mode 0600) in the CA directory."},
        subcommands = {CaCommand.Init.class, CaCommand.Issue.class, CaCommand.Sni.class})
final class CaCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required (init, issue, sni)");
    }

    @Command(name = "init", mixinStandardHelpOptions = true,
            description = "Creates a root CA (and by default an intermediate CA) for a trust domain in --dir, plus bundle.pem. Refuses to overwrite an existing CA.")
    static final class Init implements Runnable {
        @Option(names = "--trust-domain", required = true, description = "Trust domain name, e.g. cluster.local")
        String trustDomain;
        @Option(names = "--dir", required = true, description = "CA directory (created, mode 0700)")
        Path dir;
        @Option(names = "--validity", defaultValue = "365d", converter = Durations.class,
                description = "CA certificate lifetime (default: ${DEFAULT-VALUE})")
        Duration validity;
        @Option(names = "--no-intermediate", description = "Sign SVIDs with the root directly (no intermediate CA)")
        boolean noIntermediate;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public void run() {
            try {
                DevCa ca = DevCa.init(dir, trustDomain, validity, !noIntermediate);
                spec.commandLine().getOut().printf("created CA for trust domain %s in %s (%s); trust bundle: %s%n",
                        ca.trustDomain().getName(), dir, ca.intermediate() != null ? "root + intermediate" : "root only",
                        ca.bundlePath());
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e.getMessage(), e);
            }
        }
    }

    @Command(name = "issue", mixinStandardHelpOptions = true,
            description = {"Issues an X509-SVID (URI SAN = the SPIFFE ID, CA:false, digitalSignature, serverAuth+clientAuth)",
                    "into --out, replacing files atomically (a running agent's file source picks up the rotation).",
                    "Give --spiffe-id, or --node for a node identity spiffe://<td>/xdpmesh/node/<name>."})
    static final class Issue implements Runnable {
        @Option(names = "--dir", required = true, description = "CA directory made by 'ca init'")
        Path dir;
        @CommandLine.ArgGroup(exclusive = true, multiplicity = "1")
        Subject subject;

        static final class Subject {
            @Option(names = "--spiffe-id", description = "Workload SPIFFE ID, e.g. spiffe://<td>/ns/<ns>/sa/<sa>")
            String spiffeId;
            @Option(names = "--node", description = "Node name: issues spiffe://<td>/xdpmesh/node/<name>")
            String node;
        }

        @Option(names = "--out", description = "Output directory (default: <dir>/svids/<last path segments of the ID>)")
        Path out;
        @Option(names = "--ttl", defaultValue = "24h", converter = Durations.class,
                description = "Lifetime from now (default: ${DEFAULT-VALUE}); negative (e.g. -1h) issues an already expired SVID")
        Duration ttl;
        @Option(names = "--not-after", description = "Exact NotAfter (ISO-8601 instant, e.g. 2030-01-01T00:00:00Z); overrides --ttl")
        Instant notAfter;
        @Option(names = "--not-before", description = "Exact NotBefore (ISO-8601 instant; default: 1 minute ago, or 1 hour before an expired NotAfter)")
        Instant notBefore;
        @Option(names = "--no-intermediate", description = "Sign with the root even if the CA has an intermediate")
        boolean noIntermediate;
        @Option(names = "--allow-foreign-trust-domain", description = "Allow an ID outside the CA's trust domain (to test rejection)")
        boolean foreign;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public void run() {
            try {
                DevCa ca = DevCa.load(dir);
                String id = subject.spiffeId != null ? subject.spiffeId : DevCa.nodeId(ca.trustDomain(), subject.node).toString();
                SpiffeId parsed = SpiffeId.parse(id);
                Instant now = Instant.now();
                Instant na = notAfter != null ? notAfter : now.plus(ttl);
                Instant nb = notBefore != null ? notBefore : (na.isAfter(now) ? now.minusSeconds(60) : na.minusSeconds(3600));
                Path target = out != null ? out : dir.resolve("svids").resolve(defaultName(parsed));
                X509Certificate leaf = ca.issue(new DevCa.IssueSpec(id, nb, na, !noIntermediate, foreign), target);
                spec.commandLine().getOut().printf("issued %s (NotAfter %s) into %s (%s, %s, %s)%n", id,
                        leaf.getNotAfter().toInstant(), target, SvidLayout.SVID, SvidLayout.KEY, SvidLayout.BUNDLE);
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e.getMessage(), e);
            }
        }

        static String defaultName(SpiffeId id) {
            String p = id.getPath().replaceFirst("^/", "");
            String[] seg = p.split("/");
            if (seg.length == 4 && seg[0].equals("ns") && seg[2].equals("sa")) {
                return seg[1] + "." + seg[3];
            }
            return p.replace('/', '.');
        }
    }

    @Command(name = "sni", mixinStandardHelpOptions = true,
            description = "Prints the TLS SNI name that asks an agent for this identity (for openssl s_client -servername).")
    static final class Sni implements Runnable {
        @Option(names = "--spiffe-id", required = true, description = "The SPIFFE ID to ask for")
        String spiffeId;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public void run() {
            spec.commandLine().getOut().println(SniNames.of(SpiffeId.parse(spiffeId)));
        }
    }
}
