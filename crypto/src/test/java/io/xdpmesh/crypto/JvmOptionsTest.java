package io.xdpmesh.crypto;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** scripts/jvm.options is the one list of JVM flags; Surefire must hand it to the test JVM. */
class JvmOptionsTest {
    @Test
    void vectorModuleAndNativeAccessAreEnabled() {
        assertTrue(ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent(),
                "jdk.incubator.vector missing: scripts/jvm.options did not reach the test JVM");
        assertTrue(getClass().getModule().isNativeAccessEnabled(), "--enable-native-access missing");
    }
}
