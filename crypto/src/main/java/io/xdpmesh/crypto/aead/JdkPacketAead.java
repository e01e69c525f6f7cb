package io.xdpmesh.crypto.aead;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The JDK's SunJCE ChaCha20-Poly1305 behind {@link PacketAead}. It allocates on every call
 * (Cipher.init), so it is a reference for tests and a fallback, never the hot path.
 */
public final class JdkPacketAead implements PacketAead {
    private final SecretKeySpec key;
    private final byte[] keyBytes;
    private final Cipher cipher;

    public JdkPacketAead(byte[] key32) {
        if (key32.length != KEY_BYTES) {
            throw new IllegalArgumentException("ChaCha20-Poly1305 key must be 32 bytes, got " + key32.length);
        }
        this.keyBytes = key32.clone();
        this.key = new SecretKeySpec(keyBytes, "ChaCha20");
        try {
            this.cipher = Cipher.getInstance("ChaCha20-Poly1305");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("JDK has no ChaCha20-Poly1305", e);
        }
    }

    static byte[] nonce(long counter) {
        byte[] n = new byte[12];
        for (int i = 0; i < 8; i++) {
            n[4 + i] = (byte) (counter >>> (8 * i));
        }
        return n;
    }

    @Override
    public void seal(MemorySegment seg, long off, int len, long counter) {
        byte[] in = seg.asSlice(off, len).toArray(ValueLayout.JAVA_BYTE);
        byte[] out;
        try {
            cipher.init(Cipher.ENCRYPT_MODE, key, new IvParameterSpec(nonce(counter)));
            out = cipher.doFinal(in);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("seal failed", e);
        }
        MemorySegment.copy(MemorySegment.ofArray(out), 0, seg, off, out.length);
    }

    @Override
    public boolean open(MemorySegment seg, long off, int len, long counter) {
        byte[] in = seg.asSlice(off, (long) len + TAG_BYTES).toArray(ValueLayout.JAVA_BYTE);
        try {
            cipher.init(Cipher.DECRYPT_MODE, key, new IvParameterSpec(nonce(counter)));
            ByteBuffer out = ByteBuffer.allocate(len);
            cipher.doFinal(ByteBuffer.wrap(in), out);
            MemorySegment.copy(MemorySegment.ofArray(out.array()), 0, seg, off, len);
            return true;
        } catch (AEADBadTagException e) {
            return false;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("open failed", e);
        }
    }

    @Override
    public String implementation() {
        return "jdk-sunjce";
    }

    @Override
    public void close() {
        Arrays.fill(keyBytes, (byte) 0);
    }
}
