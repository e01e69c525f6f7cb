package io.xdpmesh.control.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import io.grpc.stub.StreamObserver;
import io.spiffe.spiffeid.SpiffeId;
import io.spiffe.spiffeid.TrustDomain;
import io.spiffe.workloadapi.grpc.SpiffeWorkloadAPIGrpc;
import io.spiffe.workloadapi.grpc.Workload;
import io.xdpmesh.control.ca.DevCa;
import io.xdpmesh.control.ca.Pem;
import io.xdpmesh.control.ca.SvidLayout;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * java-spiffe's Workload API client over a real Unix socket. No SPIRE agent can run here (none is
 * packaged), so the server end is a small SPIFFE Workload API server written for this test on
 * grpc-java with the API's own generated service, serving SVIDs the dev CA issued, and checking
 * the {@code workload.spiffe.io: true} header as SPIRE does.
 */
class WorkloadApiSvidSourceTest {
    @TempDir
    Path dir;

    static final Metadata.Key<String> SECURITY_HEADER = Metadata.Key.of("workload.spiffe.io", Metadata.ASCII_STRING_MARSHALLER);

    static final class FakeAgent extends SpiffeWorkloadAPIGrpc.SpiffeWorkloadAPIImplBase {
        final List<StreamObserver<Workload.X509SVIDResponse>> watchers = new CopyOnWriteArrayList<>();
        volatile Workload.X509SVIDResponse current;

        @Override
        public void fetchX509SVID(Workload.X509SVIDRequest request, StreamObserver<Workload.X509SVIDResponse> observer) {
            watchers.add(observer);
            observer.onNext(current);
        }

        void push(Workload.X509SVIDResponse r) {
            current = r;
            watchers.forEach(w -> w.onNext(r));
        }
    }

    static Workload.X509SVIDResponse response(String id, Path svidDir) throws Exception {
        ByteArrayOutputStream chain = new ByteArrayOutputStream();
        for (X509Certificate c : Pem.readCertificates(SvidLayout.svid(svidDir))) {
            chain.write(c.getEncoded());
        }
        byte[] key = Pem.readPrivateKey(SvidLayout.key(svidDir)).getEncoded();
        byte[] bundle = Pem.readCertificates(SvidLayout.bundle(svidDir)).getFirst().getEncoded();
        return Workload.X509SVIDResponse.newBuilder().addSvids(Workload.X509SVID.newBuilder().setSpiffeId(id)
                .setX509Svid(ByteString.copyFrom(chain.toByteArray())).setX509SvidKey(ByteString.copyFrom(key))
                .setBundle(ByteString.copyFrom(bundle))).build();
    }

    @Test
    void svidsAndRotationsArriveThroughTheWorkloadApi() throws Exception {
        DevCa ca = DevCa.init(dir.resolve("ca"), "wl.test", Duration.ofDays(1), true);
        String id = "spiffe://wl.test/ns/a/sa/a";
        ca.issue(DevCa.IssueSpec.valid(id, Duration.ofHours(1)), dir.resolve("v1"));
        FakeAgent agent = new FakeAgent();
        agent.current = response(id, dir.resolve("v1"));
        Path socket = dir.resolve("agent.sock");
        EpollEventLoopGroup group = new EpollEventLoopGroup(1);
        ServerInterceptor requireHeader = new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
                if (!"true".equals(headers.get(SECURITY_HEADER))) {
                    call.close(Status.INVALID_ARGUMENT.withDescription("security header missing"), new Metadata());
                    return new ServerCall.Listener<>() {};
                }
                return next.startCall(call, headers);
            }
        };
        Server server = NettyServerBuilder.forAddress(new DomainSocketAddress(socket.toString()))
                .channelType(EpollServerDomainSocketChannel.class).bossEventLoopGroup(group).workerEventLoopGroup(group)
                .addService(ServerInterceptors.intercept(agent, requireHeader)).build().start();
        IdentityStore store = new IdentityStore();
        LinkedBlockingQueue<String> events = new LinkedBlockingQueue<>();
        store.addListener((sid, prev, cur) -> events.add((prev == null ? "new " : "rotated ") + sid));
        try (WorkloadApiSvidSource source = new WorkloadApiSvidSource("unix:" + socket, store, 10_000)) {
            source.start();
            assertEquals("new " + id, events.poll(10, TimeUnit.SECONDS));
            var first = store.current(SpiffeId.parse(id)).orElseThrow().svid();
            assertTrue(store.bundle(TrustDomain.parse("wl.test")).isPresent());
            assertEquals(2, first.getChain().size(), "leaf and intermediate");

            ca.issue(DevCa.IssueSpec.valid(id, Duration.ofHours(2)), dir.resolve("v2"));
            agent.push(response(id, dir.resolve("v2")));
            assertEquals("rotated " + id, events.poll(10, TimeUnit.SECONDS));
            var second = store.current(SpiffeId.parse(id)).orElseThrow().svid();
            assertNotEquals(first.getLeaf().getSerialNumber(), second.getLeaf().getSerialNumber());
            assertTrue(source.describe().contains("2 updates"), source.describe());
        } finally {
            server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    @Test
    void noAgentOnTheSocketIsAClearTimeout() {
        IdentityStore store = new IdentityStore();
        WorkloadApiSvidSource source = new WorkloadApiSvidSource("unix:" + dir.resolve("absent.sock"), store, 1500);
        try {
            TimeoutException e = assertThrows(TimeoutException.class, source::start);
            assertTrue(e.getMessage().contains("absent.sock"), e.getMessage());
        } finally {
            source.close();
        }
    }
}
