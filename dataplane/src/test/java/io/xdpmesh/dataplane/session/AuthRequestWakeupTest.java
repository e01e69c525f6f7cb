package io.xdpmesh.dataplane.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xdpmesh.dataplane.policy.Verdict;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class AuthRequestWakeupTest {
    @Test
    void aParkedReaderIsWokenByTheNextRequest() throws Exception {
        AuthRequests r = new AuthRequests(4096);
        byte[] n = "x".getBytes(StandardCharsets.UTF_8);
        List<AuthRequest> got = new ArrayList<>();
        Thread reader = Thread.ofPlatform().start(() -> r.pollOrWait(got::add, 10, TimeUnit.SECONDS.toNanos(60)));
        while (!r.readerWaiting() && reader.isAlive()) {
            Thread.onSpinWait();
        }
        assertTrue(r.offer(Verdict.ENCRYPT.ordinal(), 1, 42, 7, n, n, n));
        reader.join();
        assertEquals(1, got.size());
        assertEquals(7, got.get(0).heldAtNanos());
        assertEquals(1, r.wakeups(), "the offer saw the parked reader and woke it");
    }

    @Test
    void aReaderWithRequestsQueuedDoesNotWait() {
        AuthRequests r = new AuthRequests(4096);
        byte[] n = "x".getBytes(StandardCharsets.UTF_8);
        assertTrue(r.offer(Verdict.ENCRYPT.ordinal(), 1, 42, 7, n, n, n));
        assertEquals(1, r.pollOrWait(x -> { }, 10, TimeUnit.SECONDS.toNanos(60)));
        assertEquals(0, r.wakeups());
    }
}
