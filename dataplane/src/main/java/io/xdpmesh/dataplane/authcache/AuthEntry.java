package io.xdpmesh.dataplane.authcache;

import net.openhft.chronicle.bytes.BytesIn;
import net.openhft.chronicle.bytes.BytesMarshallable;
import net.openhft.chronicle.bytes.BytesOut;

/**
 * Auth-cache value: when the authentication expires, which session carries the pair, and the
 * state. No secrets: keys stay in the agent's memory, so this file is safe for the CLI to read.
 */
public final class AuthEntry implements BytesMarshallable {
    public static final int STATE_PENDING = 0;
    public static final int STATE_ESTABLISHED = 1;
    public static final int STATE_FAILED = 2;

    /** Epoch milliseconds: the earlier leaf NotAfter, capped by the session's rekey schedule. */
    public long expiresAtMillis;
    /** Local receiver index of the session (its key in the dataplane's session table). */
    public int sessionIndex;
    public int state;
    /** Failure reason code when {@link #STATE_FAILED} (the control plane's enum ordinal). */
    public int reason;
    public long updatedAtMillis;

    public AuthEntry set(long expiresAtMillis, int sessionIndex, int state, int reason, long updatedAtMillis) {
        this.expiresAtMillis = expiresAtMillis;
        this.sessionIndex = sessionIndex;
        this.state = state;
        this.reason = reason;
        this.updatedAtMillis = updatedAtMillis;
        return this;
    }

    public boolean validAt(long nowMillis) {
        return state == STATE_ESTABLISHED && nowMillis < expiresAtMillis;
    }

    public static String stateName(int state) {
        return switch (state) {
            case STATE_PENDING -> "pending";
            case STATE_ESTABLISHED -> "established";
            case STATE_FAILED -> "failed";
            default -> "unknown(" + state + ")";
        };
    }

    @Override
    public void readMarshallable(BytesIn<?> in) {
        expiresAtMillis = in.readLong();
        sessionIndex = in.readInt();
        state = in.readUnsignedByte();
        reason = in.readUnsignedByte();
        updatedAtMillis = in.readLong();
    }

    @Override
    public void writeMarshallable(BytesOut<?> out) {
        out.writeLong(expiresAtMillis);
        out.writeInt(sessionIndex);
        out.writeUnsignedByte(state);
        out.writeUnsignedByte(reason);
        out.writeLong(updatedAtMillis);
    }
}
