package io.xdpmesh.control.identity;

import io.spiffe.bundle.x509bundle.X509Bundle;
import io.spiffe.exception.SocketEndpointAddressException;
import io.spiffe.svid.x509svid.X509Svid;
import io.spiffe.workloadapi.DefaultWorkloadApiClient;
import io.spiffe.workloadapi.Watcher;
import io.spiffe.workloadapi.WorkloadApiClient;
import io.spiffe.workloadapi.X509Context;
import java.lang.System.Logger.Level;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * SVIDs from the SPIFFE Workload API (a SPIRE agent's Unix socket) through java-spiffe's client:
 * the agent's process is the workload, so it receives the SVIDs SPIRE registered for it (for
 * xdpmesh: one per workload identity on this node, which the SPIRE admin registers with this
 * agent's selectors), and every update (rotation, new bundle) arrives on the watch stream.
 *
 * <p>Not supported: Cilium-style delegated identity (SPIRE's Delegated Identity API, where the
 * agent fetches SVIDs on behalf of other workloads by their selectors). That needs the SPIRE admin
 * API and an authorized-delegate entry; this source only speaks the plain Workload API.
 */
public final class WorkloadApiSvidSource implements SvidSource {
    private static final System.Logger LOG = System.getLogger(WorkloadApiSvidSource.class.getName());

    private final String socketAddress;
    private final IdentityStore store;
    private final long firstUpdateTimeoutMillis;
    private final AtomicLong updates = new AtomicLong();
    private final AtomicReference<Throwable> lastError = new AtomicReference<>();
    private WorkloadApiClient client;

    /** @param socketAddress {@code unix:/path/to/agent.sock} (SPIFFE_ENDPOINT_SOCKET form) */
    public WorkloadApiSvidSource(String socketAddress, IdentityStore store, long firstUpdateTimeoutMillis) {
        this.socketAddress = socketAddress;
        this.store = store;
        this.firstUpdateTimeoutMillis = firstUpdateTimeoutMillis;
    }

    @Override
    public void start() throws SocketEndpointAddressException, TimeoutException, InterruptedException {
        client = DefaultWorkloadApiClient.newClient(DefaultWorkloadApiClient.ClientOptions.builder()
                .spiffeSocketPath(socketAddress).build());
        CountDownLatch first = new CountDownLatch(1);
        client.watchX509Context(new Watcher<>() {
            @Override
            public void onUpdate(X509Context ctx) {
                updates.incrementAndGet();
                for (X509Bundle b : ctx.getX509BundleSet().getBundles().values()) {
                    store.putBundle(b);
                }
                for (X509Svid s : ctx.getX509Svids()) {
                    store.put(s);
                }
                first.countDown();
            }

            @Override
            public void onError(Throwable t) {
                lastError.set(t);
                LOG.log(Level.WARNING, "Workload API at " + socketAddress + ": " + t.getMessage());
            }
        });
        if (!first.await(firstUpdateTimeoutMillis, TimeUnit.MILLISECONDS)) {
            Throwable err = lastError.get();
            throw new TimeoutException("no X.509 context from the Workload API at " + socketAddress + " within "
                    + firstUpdateTimeoutMillis + " ms" + (err == null ? "" : ": " + err.getMessage()));
        }
    }

    public long updates() { return updates.get(); }

    @Override
    public String describe() {
        return "SPIFFE Workload API at " + socketAddress + " (" + updates.get() + " updates)";
    }

    @Override
    public void close() {
        if (client != null) {
            try {
                client.close();
            } catch (Exception e) {
                LOG.log(Level.DEBUG, "closing the Workload API client: " + e.getMessage());
            }
        }
    }
}
