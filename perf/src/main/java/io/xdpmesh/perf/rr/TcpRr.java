package io.xdpmesh.perf.rr;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Arrays;
import java.util.Locale;

/**
 * TCP request/response latency, netperf TCP_RR style: one connection, one request of SIZE bytes
 * in flight at a time, the server echoes it back.
 *
 * <pre>
 *   TcpRr server BIND_ADDR PORT SECONDS      echo server, one thread per connection, exits after SECONDS
 *   TcpRr client HOST PORT SIZE WARMUP N     prints "rr: first=<us> p50=<us> p99=<us> mean=<us> n=<N> tps=<t>"
 * </pre>
 *
 * "first" is the connect plus the first round trip on a new connection: through a TLS proxy it
 * includes the proxies' handshake, through xdpmesh a cold pair's authentication. The client
 * fails with exit code 1 when the peer closes early or a round trip exceeds 5 s.
 */
public final class TcpRr {
    private TcpRr() {
    }

    public static void main(String[] a) throws Exception {
        if (a.length >= 4 && a[0].equals("server")) {
            server(a[1], Integer.parseInt(a[2]), Double.parseDouble(a[3]));
        } else if (a.length >= 6 && a[0].equals("client")) {
            System.exit(client(a[1], Integer.parseInt(a[2]), Integer.parseInt(a[3]), Integer.parseInt(a[4]),
                    Integer.parseInt(a[5])));
        } else {
            System.err.println("usage: TcpRr server BIND_ADDR PORT SECONDS | client HOST PORT SIZE WARMUP N");
            System.exit(2);
        }
    }

    /** What one client run measured, in nanoseconds. */
    public record Result(long firstNs, long p50Ns, long p99Ns, long totalNs, int n) {
        public String line() {
            return String.format(Locale.ROOT, "rr: first=%.1f p50=%.1f p99=%.1f mean=%.1f n=%d tps=%.0f", firstNs / 1e3,
                    p50Ns / 1e3, p99Ns / 1e3, totalNs / 1e3 / n, n, n / (totalNs / 1e9));
        }
    }

    static void server(String bind, int port, double seconds) throws IOException {
        long deadline = System.nanoTime() + (long) (seconds * 1e9);
        try (ServerSocket ss = new ServerSocket()) {
            ss.setReuseAddress(true);
            ss.bind(new InetSocketAddress(InetAddress.getByName(bind), port));
            ss.setSoTimeout(200);
            System.out.println("rr: listening " + bind + ":" + port);
            System.out.flush();
            while (System.nanoTime() < deadline) {
                Socket s;
                try {
                    s = ss.accept();
                } catch (java.net.SocketTimeoutException e) {
                    continue;
                }
                Thread t = new Thread(() -> echo(s), "rr-echo");
                t.setDaemon(true);
                t.start();
            }
        }
    }

    static void echo(Socket s) {
        try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
            s.setTcpNoDelay(true);
            byte[] buf = new byte[65536];
            int n;
            while ((n = in.read(buf)) > 0) {
                out.write(buf, 0, n);
            }
        } catch (IOException e) {
            // the client went away: nothing to report from an echo server
        }
    }

    private static int client(String host, int port, int size, int warmup, int n) throws IOException {
        try {
            System.out.println(measure(host, port, size, warmup, n).line());
            return 0;
        } catch (IOException e) {
            System.out.println("rr: failed " + e);
            return 1;
        }
    }

    /** Connects, then runs 1 + warmup + n round trips of size bytes; the echo is checked byte for byte. */
    public static Result measure(String host, int port, int size, int warmup, int n) throws IOException {
        if (size < 1 || n < 1 || warmup < 0) {
            throw new IllegalArgumentException("size and n must be >= 1, warmup >= 0");
        }
        warmSocketCode(size);
        byte[] req = new byte[size];
        Arrays.fill(req, (byte) 'x');
        byte[] resp = new byte[size];
        long[] rtt = new long[n];
        long t0 = System.nanoTime();
        try (Socket s = new Socket()) {
            s.setTcpNoDelay(true);
            s.setSoTimeout(5000);
            s.connect(new InetSocketAddress(InetAddress.getByName(host), port), 5000);
            OutputStream out = s.getOutputStream();
            DataInputStream in = new DataInputStream(s.getInputStream());
            out.write(req);
            in.readFully(resp);
            long first = System.nanoTime() - t0;
            for (int i = 0; i < warmup; i++) {
                out.write(req);
                in.readFully(resp);
            }
            long start = System.nanoTime();
            for (int i = 0; i < n; i++) {
                req[0] = (byte) i; // the last echo is compared with the last request
                long t = System.nanoTime();
                out.write(req);
                in.readFully(resp);
                rtt[i] = System.nanoTime() - t;
            }
            long total = System.nanoTime() - start;
            if (!Arrays.equals(req, resp)) {
                throw new IOException("the echo differs from the request");
            }
            long[] sorted = rtt.clone();
            Arrays.sort(sorted);
            return new Result(first, pct(sorted, 50), pct(sorted, 99), total, n);
        }
    }

    /**
     * One connection and a few round trips over loopback first, so that "first" measures the path
     * (connect, a proxy's TLS handshake, a cold pair's authentication), not this JVM loading its
     * socket classes (~20 ms).
     */
    private static void warmSocketCode(int size) throws IOException {
        try (ServerSocket ss = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread t = new Thread(() -> {
                try {
                    echo(ss.accept());
                } catch (IOException e) {
                    // the warm-up client reports its own failure
                }
            }, "rr-warm");
            t.setDaemon(true);
            t.start();
            try (Socket s = new Socket()) {
                s.setTcpNoDelay(true);
                s.setSoTimeout(5000);
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), ss.getLocalPort()), 5000);
                byte[] b = new byte[size];
                DataInputStream in = new DataInputStream(s.getInputStream());
                for (int i = 0; i < 200; i++) {
                    s.getOutputStream().write(b);
                    in.readFully(b);
                }
            }
        }
    }

    private static long pct(long[] sorted, int p) {
        int i = (int) Math.round(sorted.length * p / 100.0) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }
}
