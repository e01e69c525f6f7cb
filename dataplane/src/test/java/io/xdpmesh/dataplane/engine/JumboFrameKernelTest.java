package io.xdpmesh.dataplane.engine;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;

/** Every link at MTU 9000 (jumbo frames): uplinks and pods at 9000; the tests are {@link JumboMeshTests}. */
@Tag("kernel")
class JumboFrameKernelTest extends JumboMeshTests {
    @BeforeAll
    static void up() throws Exception {
        start(MTU);
    }
}
