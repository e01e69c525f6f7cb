package io.xdpmesh.control.handshake;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;

/**
 * The handshake connection's message parser on any frame: it returns a message or throws
 * {@link MeshMessages.BadMessage}, nothing else; and whatever parses re-encodes to a frame that
 * parses to the same message.
 */
class MeshMessagesFuzzTest {
    @FuzzTest(maxDuration = "20s")
    void parseNeverFailsOtherThanBadMessage(byte[] input) {
        Object m;
        try {
            m = MeshMessages.parse(Unpooled.wrappedBuffer(input));
        } catch (MeshMessages.BadMessage expected) {
            return;
        }
        ByteBufAllocator a = ByteBufAllocator.DEFAULT;
        ByteBuf again = switch (m) {
            case MeshMessages.Hello h -> MeshMessages.hello(a, h);
            case MeshMessages.Accept x -> MeshMessages.accept(a, x);
            case MeshMessages.Refuse r -> MeshMessages.refuse(a, r);
            case MeshMessages.Reauth r -> MeshMessages.reauth(a, r);
            default -> throw new AssertionError("unknown message " + m);
        };
        try {
            byte[] bytes = new byte[again.readableBytes()];
            again.readBytes(bytes);
            // Re-encoding is stable: it parses to the same message (strings that were not valid
            // UTF-8 and unknown reason codes are normalised on the first parse).
            assertEquals(m, reparse(bytes));
        } finally {
            again.release();
        }
    }

    private static Object reparse(byte[] b) {
        try {
            return MeshMessages.parse(Unpooled.wrappedBuffer(b));
        } catch (MeshMessages.BadMessage e) {
            throw new AssertionError("re-encoded message does not parse: " + e.getMessage());
        }
    }
}
