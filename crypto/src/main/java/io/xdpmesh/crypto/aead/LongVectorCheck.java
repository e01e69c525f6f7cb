package io.xdpmesh.crypto.aead;

import jdk.incubator.vector.LongVector;

/** Whether this JVM runs 512-bit long vectors (what {@link Poly1305x8} is written for). */
final class LongVectorCheck {
    static final boolean SUPPORTED = check();

    private LongVectorCheck() {
    }

    private static boolean check() {
        try {
            return LongVector.SPECIES_PREFERRED.vectorBitSize() >= 512;
        } catch (LinkageError e) { // jdk.incubator.vector not added to this JVM
            return false;
        }
    }
}
