package io.xdpmesh.control.handshake;

import io.spiffe.spiffeid.SpiffeId;
import io.xdpmesh.control.ca.DevCa;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * Shared set-up of the loopback handshake tests: a dev CA, alice placed on node A (127.0.0.1) and
 * bob on node B (127.0.0.2), and whatever the test registers in {@link #closeables}, closed in
 * reverse order after each test.
 */
abstract class LoopbackPair {
    static final String TD = "xdpmesh.test";
    static final String A = "spiffe://" + TD + "/ns/a/sa/alice";
    static final String B = "spiffe://" + TD + "/ns/b/sa/bob";

    @TempDir
    Path dir;
    DevCa ca;
    Map<SpiffeId, InetAddress> placement = TestNode.placements();
    final List<AutoCloseable> closeables = new ArrayList<>();

    @BeforeEach
    void createCaAndPlaceIdentities() throws Exception {
        ca = DevCa.init(dir.resolve("ca"), TD, Duration.ofDays(1), true);
        placement.put(SpiffeId.parse(A), InetAddress.getByName("127.0.0.1"));
        placement.put(SpiffeId.parse(B), InetAddress.getByName("127.0.0.2"));
    }

    @AfterEach
    void closeRegistered() throws Exception {
        for (AutoCloseable c : closeables.reversed()) {
            c.close();
        }
    }
}
