package io.xdpmesh.perf.rr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;

import org.junit.jupiter.api.Test;

/** TcpRr over loopback: round trips counted and echoed, a peer that hangs up is an error. */
class TcpRrTest {

    @Test
    void countsEveryRoundTripOfAnEcho() throws Exception {
        try (ServerSocket ss = new ServerSocket(0, 4, InetAddress.getLoopbackAddress())) {
            Thread t = new Thread(() -> {
                try {
                    TcpRr.echo(ss.accept());
                } catch (IOException e) {
                    // the client's assertions report it
                }
            });
            t.setDaemon(true);
            t.start();
            TcpRr.Result r = TcpRr.measure(InetAddress.getLoopbackAddress().getHostAddress(), ss.getLocalPort(), 64, 10, 50);
            assertEquals(50, r.n());
            assertTrue(r.firstNs() > 0 && r.p50Ns() > 0 && r.p50Ns() <= r.p99Ns(), r.toString());
            assertTrue(r.line().matches("rr: first=[0-9.]+ p50=[0-9.]+ p99=[0-9.]+ mean=[0-9.]+ n=50 tps=[0-9]+"), r.line());
        }
    }

    @Test
    void aPeerThatHangsUpIsAnError() throws Exception {
        try (ServerSocket ss = new ServerSocket(0, 4, InetAddress.getLoopbackAddress())) {
            Thread t = new Thread(() -> {
                try (Socket s = ss.accept()) {
                    s.getInputStream().read(); // take the first byte, answer nothing, close
                } catch (IOException e) {
                    // nothing to report
                }
            });
            t.setDaemon(true);
            t.start();
            assertThrows(IOException.class,
                    () -> TcpRr.measure(InetAddress.getLoopbackAddress().getHostAddress(), ss.getLocalPort(), 64, 0, 5));
        }
    }
}
