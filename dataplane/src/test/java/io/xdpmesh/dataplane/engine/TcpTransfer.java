package io.xdpmesh.dataplane.engine;

import io.xdpmesh.xdp.sys.NetNs;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;

/**
 * A TCP transfer of an exact number of bytes between two namespaces (sockets made inside each),
 * checked end to end: the receiver counts the bytes and sums them (CRC32) against what was sent.
 * Bounded in bytes and time.
 */
final class TcpTransfer {
    record Result(long sent, long received, boolean sameCrc, long nanos) {
        double gbps() {
            return received * 8.0 / Math.max(1, nanos);
        }
    }

    private TcpTransfer() {}

    static Result run(String serverNs, String serverAddr, String clientNs, int port, long bytes, int timeoutSeconds)
            throws Exception {
        ServerSocketChannel server;
        try (NetNs in = NetNs.enter(serverNs)) {
            server = ServerSocketChannel.open();
        }
        try (server) {
            server.bind(new InetSocketAddress(serverAddr, port));
            CompletableFuture<long[]> received = CompletableFuture.supplyAsync(() -> receive(server));
            SocketChannel client;
            try (NetNs in = NetNs.enter(clientNs)) {
                client = SocketChannel.open();
            }
            long start = System.nanoTime();
            long end = start + TimeUnit.SECONDS.toNanos(timeoutSeconds);
            CRC32 crc = new CRC32();
            long sent = 0;
            try (client) {
                client.socket().connect(new InetSocketAddress(serverAddr, port), timeoutSeconds * 1000);
                client.configureBlocking(false);
                ByteBuffer b = ByteBuffer.allocateDirect(64 * 1024);
                long pattern = 0x9e3779b97f4a7c15L;
                b.flip(); // empty: the first turn fills it
                while (sent < bytes && System.nanoTime() < end) {
                    if (!b.hasRemaining()) {
                        b.clear();
                        int n = (int) Math.min(b.capacity(), bytes - sent);
                        for (int i = 0; i + 8 <= n; i += 8) {
                            pattern = pattern * 6364136223846793005L + 1442695040888963407L;
                            b.putLong(pattern);
                        }
                        while (b.position() < n) {
                            b.put((byte) sent);
                        }
                        b.flip();
                        ByteBuffer view = b.duplicate();
                        crc.update(view);
                    }
                    int w = client.write(b);
                    if (w == 0) {
                        Thread.sleep(0, 200_000);
                    }
                    sent += w;
                }
                client.shutdownOutput();
                long[] r = received.get(Math.max(1, (end - System.nanoTime()) / 1_000_000L) + 2000, TimeUnit.MILLISECONDS);
                return new Result(sent, r[0], r[1] == crc.getValue(), r[2] - start);
            }
        }
    }

    /** Reads until EOF (or 60 s): {bytes, crc32, nanoTime at EOF}. */
    private static long[] receive(ServerSocketChannel server) {
        try (SocketChannel s = server.accept()) {
            s.configureBlocking(false);
            ByteBuffer b = ByteBuffer.allocateDirect(256 * 1024);
            CRC32 crc = new CRC32();
            long n = 0;
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < end) {
                b.clear();
                int r = s.read(b);
                if (r < 0) {
                    break;
                }
                if (r == 0) {
                    Thread.sleep(0, 200_000);
                    continue;
                }
                b.flip();
                crc.update(b);
                n += r;
            }
            return new long[] {n, crc.getValue(), System.nanoTime()};
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
