package io.xdpmesh.crypto.aead;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

/**
 * OpenSSL libcrypto's EVP ChaCha20-Poly1305 through the FFM API. Each direction has its own context,
 * keyed once; a packet re-initialises it with the nonce only. The per-packet downcalls are
 * {@code critical}: no thread-state transition, and heap segments are passed in place.
 *
 * <p>Native segments go through handles that take raw addresses (a long), so no slice object is
 * made per packet. Heap regions up to 64 KiB are copied through a native staging buffer (no
 * allocation); larger ones go through ADDRESS handles with heap access allowed.
 */
public final class OpenSslPacketAead implements PacketAead {
    private static final int CTRL_AEAD_GET_TAG = 0x10;
    private static final int CTRL_AEAD_SET_TAG = 0x11;

    private static final String UNAVAILABLE;
    private static final MethodHandle CTX_NEW, CTX_FREE, CHACHA20_POLY1305, INIT_KEY;
    private static final MethodHandle INIT_RAW, UPDATE_RAW, FINAL_RAW, CTRL_RAW;
    private static final MethodHandle UPDATE_SEG, FINAL_SEG, CTRL_SEG;

    static {
        String why = null;
        MethodHandle ctxNew = null, ctxFree = null, cipher = null, initKey = null;
        MethodHandle initRaw = null, updateRaw = null, finalRaw = null, ctrlRaw = null;
        MethodHandle updateSeg = null, finalSeg = null, ctrlSeg = null;
        try {
            SymbolLookup lib = load();
            Linker l = Linker.nativeLinker();
            Linker.Option crit = Linker.Option.critical(true);
            ctxNew = l.downcallHandle(find(lib, "EVP_CIPHER_CTX_new"), FunctionDescriptor.of(ADDRESS));
            ctxFree = l.downcallHandle(find(lib, "EVP_CIPHER_CTX_free"), FunctionDescriptor.ofVoid(ADDRESS));
            cipher = l.downcallHandle(find(lib, "EVP_chacha20_poly1305"), FunctionDescriptor.of(ADDRESS));
            MemorySegment init = find(lib, "EVP_CipherInit_ex");
            MemorySegment update = find(lib, "EVP_CipherUpdate");
            MemorySegment fin = find(lib, "EVP_CipherFinal_ex");
            MemorySegment ctrl = find(lib, "EVP_CIPHER_CTX_ctrl");
            initKey = l.downcallHandle(init, FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, JAVA_INT));
            initRaw = l.downcallHandle(init,
                    FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_INT), crit);
            updateRaw = l.downcallHandle(update,
                    FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_INT), crit);
            finalRaw = l.downcallHandle(fin, FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG), crit);
            ctrlRaw = l.downcallHandle(ctrl, FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_LONG), crit);
            updateSeg = l.downcallHandle(update,
                    FunctionDescriptor.of(JAVA_INT, JAVA_LONG, ADDRESS, JAVA_LONG, ADDRESS, JAVA_INT), crit);
            finalSeg = l.downcallHandle(fin, FunctionDescriptor.of(JAVA_INT, JAVA_LONG, ADDRESS, JAVA_LONG), crit);
            ctrlSeg = l.downcallHandle(ctrl, FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_INT, ADDRESS), crit);
        } catch (Throwable t) {
            why = "libcrypto unavailable: " + t;
        }
        UNAVAILABLE = why;
        CTX_NEW = ctxNew;
        CTX_FREE = ctxFree;
        CHACHA20_POLY1305 = cipher;
        INIT_KEY = initKey;
        INIT_RAW = initRaw;
        UPDATE_RAW = updateRaw;
        FINAL_RAW = finalRaw;
        CTRL_RAW = ctrlRaw;
        UPDATE_SEG = updateSeg;
        FINAL_SEG = finalSeg;
        CTRL_SEG = ctrlSeg;
    }

    private static SymbolLookup load() {
        IllegalArgumentException first = null;
        for (String name : new String[] {"libcrypto.so.3", "libcrypto.so"}) {
            try {
                return SymbolLookup.libraryLookup(name, Arena.global());
            } catch (IllegalArgumentException e) {
                if (first == null) {
                    first = e;
                }
            }
        }
        throw first;
    }

    private static MemorySegment find(SymbolLookup lib, String name) {
        return lib.find(name).orElseThrow(() -> new IllegalStateException("libcrypto lacks " + name));
    }

    /** True when libcrypto (OpenSSL 3) loaded and has every function this class needs. */
    public static boolean available() {
        return UNAVAILABLE == null;
    }

    /** Why {@link #available()} is false, or null. */
    public static String unavailableReason() {
        return UNAVAILABLE;
    }

    private final Arena arena = Arena.ofShared();
    private final long encCtx;
    private final long decCtx;
    private final MemorySegment scratch; // nonce (12 bytes) then an int for output lengths
    private final long nonceAddr;
    private final long outlAddr;
    // Heap regions up to this size are staged through native memory: passing a heap segment
    // needs a slice per call, which escape analysis does not always remove (measured: it allocates).
    // Made at the first heap call: the dataplane seals UMEM (native) only, and 64 KB zeroed per
    // cipher, four per session, was a measured share of every new pair's install on the handshake thread.
    private static final int STAGE_BYTES = 65536;
    private MemorySegment stage;
    private long stageAddr;
    private boolean closed;

    public OpenSslPacketAead(byte[] key32) {
        if (!available()) {
            throw new IllegalStateException(UNAVAILABLE);
        }
        if (key32.length != KEY_BYTES) {
            throw new IllegalArgumentException("ChaCha20-Poly1305 key must be 32 bytes, got " + key32.length);
        }
        scratch = arena.allocate(64, 16);
        nonceAddr = scratch.address();
        outlAddr = nonceAddr + 16;
        MemorySegment key = arena.allocate(32);
        key.copyFrom(MemorySegment.ofArray(key32));
        try {
            encCtx = newContext(key, 1);
            decCtx = newContext(key, 0);
        } catch (RuntimeException | Error e) {
            arena.close();
            throw e;
        } finally {
            key.fill((byte) 0);
        }
    }

    private static long newContext(MemorySegment key, int enc) {
        try {
            MemorySegment ctx = (MemorySegment) CTX_NEW.invokeExact();
            if (ctx.address() == 0) {
                throw new IllegalStateException("EVP_CIPHER_CTX_new failed");
            }
            MemorySegment cipher = (MemorySegment) CHACHA20_POLY1305.invokeExact();
            int rc = (int) INIT_KEY.invokeExact(ctx, cipher, MemorySegment.NULL, key, MemorySegment.NULL, enc);
            if (rc != 1) {
                CTX_FREE.invokeExact(ctx);
                throw new IllegalStateException("EVP_CipherInit_ex (key) failed");
            }
            return ctx.address();
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private MemorySegment stage() {
        MemorySegment s = stage;
        if (s == null) {
            s = arena.allocate(STAGE_BYTES + TAG_BYTES, 64);
            stageAddr = s.address();
            stage = s;
        }
        return s;
    }

    @Override
    public String implementation() {
        return "openssl-evp";
    }

    @Override
    public void seal(MemorySegment seg, long off, int len, long counter) {
        Checks.region(seg, off, len);
        if (closed) {
            throw new IllegalStateException("closed");
        }
        scratch.set(Poly1305.LE64, 4, counter);
        try {
            int ok = (int) INIT_RAW.invokeExact(encCtx, 0L, 0L, 0L, nonceAddr, 1);
            boolean staged = !seg.isNative() && len <= STAGE_BYTES;
            if (staged) {
                MemorySegment.copy(seg, off, stage(), 0, len);
            }
            if (seg.isNative() || staged) {
                long p = staged ? stageAddr : seg.address() + off;
                if (len > 0) {
                    ok &= (int) UPDATE_RAW.invokeExact(encCtx, p, outlAddr, p, len);
                }
                ok &= (int) FINAL_RAW.invokeExact(encCtx, p + len, outlAddr);
                ok &= (int) CTRL_RAW.invokeExact(encCtx, CTRL_AEAD_GET_TAG, TAG_BYTES, p + len);
                if (staged) {
                    MemorySegment.copy(stage, 0, seg, off, (long) len + TAG_BYTES);
                }
            } else {
                MemorySegment data = seg.asSlice(off, (long) len + TAG_BYTES);
                MemorySegment tag = data.asSlice(len);
                if (len > 0) {
                    ok &= (int) UPDATE_SEG.invokeExact(encCtx, data, outlAddr, data, len);
                }
                ok &= (int) FINAL_SEG.invokeExact(encCtx, tag, outlAddr);
                ok &= (int) CTRL_SEG.invokeExact(encCtx, CTRL_AEAD_GET_TAG, TAG_BYTES, tag);
            }
            if (ok != 1) {
                throw new IllegalStateException("EVP seal failed");
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    @Override
    public boolean open(MemorySegment seg, long off, int len, long counter) {
        Checks.region(seg, off, len);
        if (closed) {
            throw new IllegalStateException("closed");
        }
        scratch.set(Poly1305.LE64, 4, counter);
        int ok;
        try {
            int setup = (int) INIT_RAW.invokeExact(decCtx, 0L, 0L, 0L, nonceAddr, 0);
            boolean staged = !seg.isNative() && len <= STAGE_BYTES;
            if (staged) {
                MemorySegment.copy(seg, off, stage(), 0, (long) len + TAG_BYTES);
            }
            if (seg.isNative() || staged) {
                long p = staged ? stageAddr : seg.address() + off;
                setup &= (int) CTRL_RAW.invokeExact(decCtx, CTRL_AEAD_SET_TAG, TAG_BYTES, p + len);
                if (len > 0) {
                    setup &= (int) UPDATE_RAW.invokeExact(decCtx, p, outlAddr, p, len);
                }
                ok = (int) FINAL_RAW.invokeExact(decCtx, p + len, outlAddr);
                if (staged) {
                    if (ok > 0) {
                        MemorySegment.copy(stage, 0, seg, off, len);
                    } else {
                        Checks.wipe(stage, 0, len); // the caller's bytes still hold the ciphertext
                    }
                }
            } else {
                MemorySegment data = seg.asSlice(off, (long) len + TAG_BYTES);
                MemorySegment tag = data.asSlice(len);
                setup &= (int) CTRL_SEG.invokeExact(decCtx, CTRL_AEAD_SET_TAG, TAG_BYTES, tag);
                if (len > 0) {
                    setup &= (int) UPDATE_SEG.invokeExact(decCtx, data, outlAddr, data, len);
                }
                ok = (int) FINAL_SEG.invokeExact(decCtx, tag, outlAddr);
            }
            if (setup != 1) {
                throw new IllegalStateException("EVP open set-up failed");
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
        if (ok > 0) {
            return true;
        }
        // Update already wrote plaintext; a failed Final must leave none behind.
        Checks.wipe(seg, off, len);
        return false;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            // EVP_CIPHER_CTX_free wipes the key schedule.
            CTX_FREE.invokeExact(MemorySegment.ofAddress(encCtx));
            CTX_FREE.invokeExact(MemorySegment.ofAddress(decCtx));
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        } finally {
            arena.close();
        }
    }
}
