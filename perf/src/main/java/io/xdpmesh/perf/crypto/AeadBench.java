package io.xdpmesh.perf.crypto;

import io.xdpmesh.crypto.aead.JdkPacketAead;
import io.xdpmesh.crypto.aead.OpenSslPacketAead;
import io.xdpmesh.crypto.aead.PacketAead;
import io.xdpmesh.crypto.aead.PacketAeads;
import io.xdpmesh.crypto.aead.VectorPacketAead;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Per-packet seal and open on a native frame (a 4 KiB UMEM frame; 16 KiB so that 9000 B fits), one key per trial. The
 * payload starts at 58 (Ethernet+IPv4+UDP+WireGuard header), so it is not 64-byte aligned.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class AeadBench {
    @Param({"64", "256", "1420"})
    public int size;

    @Param({"factory", "vector", "evp", "jdk"})
    public String impl;

    private static final long OFF = 58;
    private Arena arena;
    private MemorySegment frame;
    private MemorySegment sealed; // a pristine sealed copy of the packet for open
    private PacketAead aead;
    private long counter;

    @Setup(Level.Trial)
    public void setup() {
        byte[] key = new byte[32];
        for (int i = 0; i < 32; i++) {
            key[i] = (byte) (i * 7 + 1);
        }
        aead = switch (impl) {
            case "factory" -> PacketAeads.create(key);
            case "vector" -> new VectorPacketAead(key);
            case "evp" -> new OpenSslPacketAead(key);
            case "jdk" -> new JdkPacketAead(key);
            default -> throw new IllegalArgumentException(impl);
        };
        arena = Arena.ofConfined();
        frame = arena.allocate(16384, 4096);
        sealed = arena.allocate(16384, 64);
        for (long i = 0; i < 16384; i++) {
            frame.set(java.lang.foreign.ValueLayout.JAVA_BYTE, i, (byte) i);
        }
        aead.seal(frame, OFF, size, 42);
        sealed.copyFrom(frame);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        aead.close();
        arena.close();
    }

    @Benchmark
    public MemorySegment seal() {
        aead.seal(frame, OFF, size, counter++);
        return frame;
    }

    /**
     * Opens a valid packet every call. Opening in place destroys the ciphertext, so each call first
     * copies the sealed packet back (a memcpy of size+16 bytes, a few ns, far below the cipher).
     */
    @Benchmark
    public boolean open() {
        MemorySegment.copy(sealed, OFF, frame, OFF, size + 16L);
        boolean ok = aead.open(frame, OFF, size, 42);
        if (!ok) {
            throw new IllegalStateException("open failed");
        }
        return ok;
    }
}
