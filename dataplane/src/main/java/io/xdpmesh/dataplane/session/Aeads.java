package io.xdpmesh.dataplane.session;

import io.xdpmesh.crypto.aead.JdkPacketAead;
import io.xdpmesh.crypto.aead.PacketAead;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * The one place that picks the ChaCha20-Poly1305 implementation for session keypairs: crypto's
 * fast factory {@code io.xdpmesh.crypto.aead.PacketAeads.create(key)} when it is on the class
 * path, else the JDK's (correct, but it allocates per packet).
 */
public final class Aeads {
    private static final MethodHandle FAST = findFast();

    private Aeads() {}

    private static MethodHandle findFast() {
        try {
            Class<?> c = Class.forName("io.xdpmesh.crypto.aead.PacketAeads");
            return MethodHandles.publicLookup().findStatic(c, "create", MethodType.methodType(PacketAead.class, byte[].class));
        } catch (ReflectiveOperationException e) {
            return null;
        }
    }

    public static PacketAead create(byte[] key32) {
        if (FAST != null) {
            try {
                return (PacketAead) FAST.invokeExact(key32);
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
        }
        return new JdkPacketAead(key32);
    }

    /** True when the non-allocating factory is in use. */
    public static boolean fast() {
        return FAST != null;
    }
}
