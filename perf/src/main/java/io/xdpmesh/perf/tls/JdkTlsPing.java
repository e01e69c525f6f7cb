package io.xdpmesh.perf.tls;

import io.spiffe.svid.x509svid.X509Svid;
import io.xdpmesh.control.identity.SvidFiles;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * The baseline for perf/run firstpacket: a bare JDK TLS 1.3 mutual-auth handshake between two
 * JVMs (SunJSSE with the JDK's own providers, no xdpmesh code on the path), one byte echoed so the
 * client knows the server finished. Certificates are dev-CA SVID directories.
 *
 * <pre>
 * JdkTlsPing server &lt;svid dir&gt; &lt;bundle.pem&gt; &lt;addr&gt; &lt;port&gt;
 * JdkTlsPing client &lt;svid dir&gt; &lt;bundle.pem&gt; &lt;addr&gt; &lt;port&gt; &lt;warmup&gt; &lt;n&gt;
 * </pre>
 * The client prints {@code jdk-tls: p50=<ms>ms p99=<ms>ms n=<n>}.
 */
public final class JdkTlsPing {
    private JdkTlsPing() {}

    static SSLContext context(Path svidDir, Path bundle) throws Exception {
        X509Svid svid = SvidFiles.load(svidDir).svid();
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("svid", svid.getPrivateKey(), new char[0], svid.getChainArray());
        KeyManagerFactory kmf = KeyManagerFactory.getInstance("PKIX");
        kmf.init(ks, new char[0]);
        KeyStore ts = KeyStore.getInstance("PKCS12");
        ts.load(null, null);
        int i = 0;
        for (X509Certificate c : SvidFiles.load(svidDir).bundle().getX509Authorities()) {
            ts.setCertificateEntry("ca" + i++, c);
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
        tmf.init(ts);
        SSLContext ctx = SSLContext.getInstance("TLSv1.3");
        ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return ctx;
    }

    public static void main(String[] a) throws Exception {
        SSLContext ctx = context(Path.of(a[1]), Path.of(a[2]));
        InetAddress addr = InetAddress.getByName(a[3]);
        int port = Integer.parseInt(a[4]);
        if (a[0].equals("server")) {
            try (SSLServerSocket ss = (SSLServerSocket) ctx.getServerSocketFactory().createServerSocket()) {
                ss.setReuseAddress(true);
                ss.bind(new InetSocketAddress(addr, port));
                ss.setNeedClientAuth(true);
                ss.setEnabledProtocols(new String[] {"TLSv1.3"});
                System.out.println("listening");
                System.out.flush();
                while (true) {
                    try (SSLSocket s = (SSLSocket) ss.accept()) {
                        s.setTcpNoDelay(true);
                        InputStream in = s.getInputStream();
                        OutputStream out = s.getOutputStream();
                        int b = in.read();
                        if (b < 0) {
                            continue;
                        }
                        out.write(b);
                        out.flush();
                        if (b == 'q') {
                            return;
                        }
                    } catch (java.io.IOException e) {
                        // next connection
                    }
                }
            }
        }
        int warmup = Integer.parseInt(a[5]);
        int n = Integer.parseInt(a[6]);
        long[] t = new long[n];
        for (int i = 0; i < warmup + n; i++) {
            long t0 = System.nanoTime();
            try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket()) {
                s.setTcpNoDelay(true);
                s.connect(new InetSocketAddress(addr, port), 5000);
                s.setEnabledProtocols(new String[] {"TLSv1.3"});
                s.getOutputStream().write('p');
                s.getOutputStream().flush();
                if (s.getInputStream().read() != 'p') {
                    throw new IllegalStateException("no echo");
                }
            }
            if (i >= warmup) {
                t[i - warmup] = System.nanoTime() - t0;
            }
        }
        try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(addr, port)) {
            s.getOutputStream().write('q');
            s.getOutputStream().flush();
            s.getInputStream().read();
        }
        Arrays.sort(t);
        System.out.printf("jdk-tls: p50=%.3fms p99=%.3fms n=%d%n", t[n / 2] / 1e6, t[Math.min(n - 1, (int) (n * 0.99))] / 1e6, n);
    }
}
