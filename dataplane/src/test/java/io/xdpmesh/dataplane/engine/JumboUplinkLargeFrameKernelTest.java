package io.xdpmesh.dataplane.engine;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;

/**
 * The jumbo uplink (MTU 9000) under pods in large-frame mode (MTU 65000): TCP superframes are cut
 * to the 8920-byte tunnel MTU (not to one UMEM frame), sealed in the scratch and sent as chains;
 * the same tests as {@link JumboFrameKernelTest} ({@link JumboMeshTests}).
 */
@Tag("kernel")
class JumboUplinkLargeFrameKernelTest extends JumboMeshTests {
    @BeforeAll
    static void up() throws Exception {
        start(65000);
    }
}
