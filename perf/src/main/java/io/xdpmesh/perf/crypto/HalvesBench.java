package io.xdpmesh.perf.crypto;

import io.xdpmesh.crypto.aead.VectorPacketAead;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
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
 * The two halves of the Java seal alone, to see which one limits it: Poly1305 over the packet
 * (package-private class, reached through a method handle that C2 inlines) and the whole seal.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class HalvesBench {
    @Param({"256", "1420"})
    public int size;

    private static final long OFF = 58;
    private static final MethodHandle NEW_POLY;
    private static final MethodHandle INIT;
    private static final MethodHandle BLOCKS;
    private static final MethodHandle FINISH;

    static {
        try {
            Class<?> c = Class.forName("io.xdpmesh.crypto.aead.Poly1305");
            MethodHandles.Lookup l = MethodHandles.privateLookupIn(c, MethodHandles.lookup());
            NEW_POLY = l.findConstructor(c, MethodType.methodType(void.class)).asType(MethodType.methodType(Object.class));
            INIT = l.findVirtual(c, "init", MethodType.methodType(void.class, long.class, long.class, long.class, long.class))
                    .asType(MethodType.methodType(void.class, Object.class, long.class, long.class, long.class, long.class));
            BLOCKS = l.findVirtual(c, "blocks", MethodType.methodType(void.class, MemorySegment.class, long.class, long.class))
                    .asType(MethodType.methodType(void.class, Object.class, MemorySegment.class, long.class, long.class));
            FINISH = l.findVirtual(c, "finishAead", MethodType.methodType(void.class, long.class, MemorySegment.class, long.class))
                    .asType(MethodType.methodType(void.class, Object.class, long.class, MemorySegment.class, long.class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private Arena arena;
    private MemorySegment frame;
    private Object poly;
    private VectorPacketAead aead;
    private long counter;

    @Setup(Level.Trial)
    public void setup() throws Throwable {
        byte[] key = new byte[32];
        for (int i = 0; i < 32; i++) {
            key[i] = (byte) (i * 7 + 1);
        }
        aead = new VectorPacketAead(key);
        poly = NEW_POLY.invokeExact();
        arena = Arena.ofConfined();
        frame = arena.allocate(4096, 4096);
        for (long i = 0; i < 4096; i++) {
            frame.set(java.lang.foreign.ValueLayout.JAVA_BYTE, i, (byte) i);
        }
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

    @Benchmark
    public MemorySegment poly() throws Throwable {
        long c = counter++;
        INIT.invokeExact(poly, c, 0x1234567890L ^ c, 77L, 99L);
        BLOCKS.invokeExact(poly, frame, OFF, OFF + size);
        FINISH.invokeExact(poly, (long) size, frame, OFF + size);
        return frame;
    }
}
