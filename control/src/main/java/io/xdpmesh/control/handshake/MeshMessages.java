package io.xdpmesh.control.handshake;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;

/**
 * The small exchange on the TLS connection after the handshake (each message is one frame with a
 * u16 length prefix; integers big-endian; strings u16 length + UTF-8):
 *
 * <pre>
 * HELLO   (initiator)  u8 1, u8 version 1, u64 epoch, u32 initiator index, str initiator ID, str responder ID
 * ACCEPT  (responder)  u8 2, u64 epoch, u32 responder index
 * REFUSE  (responder)  u8 3, u8 reason (FailureReason ordinal), str detail
 * REAUTH  (responder)  u8 4, str responder ID   -- "my SVID rotated: handshake again"
 * </pre>
 *
 * The same connection carries later HELLOs with higher epochs (rekeys without a new TLS handshake).
 */
public final class MeshMessages {
    public static final int HELLO = 1;
    public static final int ACCEPT = 2;
    public static final int REFUSE = 3;
    public static final int REAUTH = 4;
    public static final int VERSION = 1;
    public static final int MAX_FRAME = 8192;

    private MeshMessages() {}

    public record Hello(long epoch, int initiatorIndex, String initiatorId, String responderId) {}
    public record Accept(long epoch, int responderIndex) {}
    public record Refuse(FailureReason reason, String detail) {}
    public record Reauth(String responderId) {}

    /** A message that does not parse. */
    public static final class BadMessage extends Exception {
        public BadMessage(String m) { super(m); }
    }

    public static ByteBuf hello(ByteBufAllocator a, Hello h) {
        ByteBuf b = a.buffer(64 + h.initiatorId().length() + h.responderId().length());
        b.writeByte(HELLO).writeByte(VERSION).writeLong(h.epoch()).writeInt(h.initiatorIndex());
        str(b, h.initiatorId());
        str(b, h.responderId());
        return b;
    }

    public static ByteBuf accept(ByteBufAllocator a, Accept m) {
        return a.buffer(13).writeByte(ACCEPT).writeLong(m.epoch()).writeInt(m.responderIndex());
    }

    public static ByteBuf refuse(ByteBufAllocator a, Refuse m) {
        ByteBuf b = a.buffer(64).writeByte(REFUSE).writeByte(m.reason().ordinal());
        String d = m.detail().length() > 1000 ? m.detail().substring(0, 1000) : m.detail();
        str(b, d);
        return b;
    }

    public static ByteBuf reauth(ByteBufAllocator a, Reauth m) {
        ByteBuf b = a.buffer(64).writeByte(REAUTH);
        str(b, m.responderId());
        return b;
    }

    /** Parses one frame into Hello, Accept, Refuse or Reauth. */
    public static Object parse(ByteBuf b) throws BadMessage {
        try {
            if (!b.isReadable()) {
                throw new BadMessage("empty frame");
            }
            int type = b.readUnsignedByte();
            Object m = switch (type) {
                case HELLO -> {
                    int v = b.readUnsignedByte();
                    if (v != VERSION) {
                        throw new BadMessage("HELLO version " + v + ", expected " + VERSION);
                    }
                    yield new Hello(b.readLong(), b.readInt(), str(b), str(b));
                }
                case ACCEPT -> new Accept(b.readLong(), b.readInt());
                case REFUSE -> new Refuse(FailureReason.ofCode(b.readUnsignedByte()), str(b));
                case REAUTH -> new Reauth(str(b));
                default -> throw new BadMessage("unknown message type " + type);
            };
            if (b.isReadable()) {
                throw new BadMessage("trailing bytes after message type " + type);
            }
            return m;
        } catch (IndexOutOfBoundsException e) {
            throw new BadMessage("truncated message");
        }
    }

    private static void str(ByteBuf b, String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > 4096) {
            throw new IllegalArgumentException("string longer than 4096 bytes");
        }
        b.writeShort(bytes.length).writeBytes(bytes);
    }

    private static String str(ByteBuf b) throws BadMessage {
        int n = b.readUnsignedShort();
        if (n > b.readableBytes()) {
            throw new BadMessage("string length " + n + " beyond the frame");
        }
        return b.readCharSequence(n, StandardCharsets.UTF_8).toString();
    }
}
