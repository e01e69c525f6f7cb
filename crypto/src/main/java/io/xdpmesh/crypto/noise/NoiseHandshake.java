package io.xdpmesh.crypto.noise;

import static io.xdpmesh.crypto.noise.WireGuard.*;

import io.xdpmesh.crypto.primitives.Blake2s;
import io.xdpmesh.crypto.primitives.ChaChaPoly;
import io.xdpmesh.crypto.primitives.Kdf;
import io.xdpmesh.crypto.primitives.Tai64n;
import io.xdpmesh.crypto.primitives.X25519;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * WireGuard's Noise_IKpsk2 handshake for one local static key and its configured peers: creates
 * initiations, and consumes initiations (answering with a response or, under load, a cookie
 * reply), responses and cookie replies. A completed handshake yields {@link SessionKeys}.
 *
 * <p>{@link #receive} never throws: every message it does not accept is counted by
 * {@link RejectReason} in {@link #counters()}. This is the control path (a few messages per
 * session), so methods synchronize on this object.
 */
public final class NoiseHandshake {
    private static final byte[] EMPTY = new byte[0];
    private static final long FLOOD_NANOS = HANDSHAKE_INITIATION_RATE.toNanos();

    private final StaticKeyPair local;
    private final SecureRandom random;
    private final HandshakeClock clock;
    private final CookieChecker cookieChecker;
    private final IndexTable indexes;
    private final HandshakeCounters counters = new HandshakeCounters();
    private final Map<ByteBuffer, NoisePeer> peers = new HashMap<>();
    /** H after mixing our own static public key: the responder's starting hash for every initiation. */
    private final byte[] responderStartHash;

    public NoiseHandshake(StaticKeyPair local) {
        this(local, new SecureRandom(), HandshakeClock.SYSTEM);
    }

    public NoiseHandshake(StaticKeyPair local, SecureRandom random, HandshakeClock clock) {
        this.local = local;
        this.random = random;
        this.clock = clock;
        this.cookieChecker = new CookieChecker(local.publicKeyRef(), random, clock);
        this.indexes = new IndexTable(random);
        this.responderStartHash = Blake2s.hash(INITIAL_HASH, local.publicKeyRef());
    }

    public HandshakeCounters counters() {
        return counters;
    }

    public byte[] localPublicKey() {
        return local.publicKey();
    }

    /**
     * Adds a peer by its 32-byte static public key, with an optional 32-byte pre-shared key (null
     * for none, which WireGuard treats as 32 zero bytes). Re-adding a key returns the existing peer.
     */
    public synchronized NoisePeer addPeer(byte[] remoteStatic, byte[] psk) {
        if (remoteStatic.length != KEY_BYTES || (psk != null && psk.length != KEY_BYTES)) {
            throw new IllegalArgumentException("peer public key and PSK must be 32 bytes");
        }
        if (Arrays.equals(remoteStatic, local.publicKeyRef())) {
            throw new IllegalArgumentException("a peer cannot have our own public key");
        }
        return peers.computeIfAbsent(ByteBuffer.wrap(remoteStatic.clone()),
                k -> new NoisePeer(remoteStatic, psk, local.privateKeyRef(), clock));
    }

    public synchronized NoisePeer peer(byte[] remoteStatic) {
        return peers.get(ByteBuffer.wrap(remoteStatic));
    }

    /** Frees a local index once the session (keypair) that used it is gone. */
    public synchronized void releaseIndex(int localIndex) {
        indexes.release(localIndex);
    }

    /** Opaque source-address bytes for cookies: IP address ‖ port big-endian. */
    public static byte[] sourceKey(InetSocketAddress source) {
        byte[] ip = source.getAddress().getAddress();
        byte[] out = Arrays.copyOf(ip, ip.length + 2);
        out[ip.length] = (byte) (source.getPort() >>> 8);
        out[ip.length + 1] = (byte) source.getPort();
        return out;
    }

    /**
     * A new 148-byte handshake initiation to {@code peer}, with MAC1 and (when a cookie is held)
     * MAC2. A pending initiation to the same peer is abandoned.
     */
    public synchronized byte[] createInitiation(NoisePeer peer) {
        requireOwn(peer);
        if (peer.staticStatic == null) {
            throw new IllegalStateException("peer's static key is a low-order point: no handshake possible");
        }
        abandonPending(peer);
        byte[] msg = new byte[INITIATION_BYTES];
        byte[] c = INITIAL_CHAIN_KEY.clone();
        byte[] h = Blake2s.hash(INITIAL_HASH, peer.publicKeyRef());

        byte[] ePriv = X25519.generatePrivateKey(random);
        byte[] ePub = X25519.publicKey(ePriv);
        c = Kdf.kdf1(c, ePub);
        h = Blake2s.hash(h, ePub);

        byte[] es = X25519.scalarMult(ePriv, peer.publicKeyRef());
        byte[][] ck = Kdf.kdf2(c, es);
        c = ck[0];
        byte[] encStatic = ChaChaPoly.seal(ck[1], ChaChaPoly.nonce(0), local.publicKeyRef(), h);
        h = Blake2s.hash(h, encStatic);

        ck = Kdf.kdf2(c, peer.staticStatic);
        c = ck[0];
        byte[] encTimestamp = ChaChaPoly.seal(ck[1], ChaChaPoly.nonce(0), Tai64n.of(clock.now()), h);
        h = Blake2s.hash(h, encTimestamp);

        peer.localIndex = indexes.allocate(peer);
        peer.localEphemeral = ePriv;
        peer.chainKey = c;
        peer.hash = h;
        peer.state = NoisePeer.State.INITIATION_CREATED;

        putLe32(msg, 0, TYPE_INITIATION);
        putLe32(msg, INITIATION_SENDER, peer.localIndex);
        System.arraycopy(ePub, 0, msg, INITIATION_EPHEMERAL, KEY_BYTES);
        System.arraycopy(encStatic, 0, msg, INITIATION_STATIC, encStatic.length);
        System.arraycopy(encTimestamp, 0, msg, INITIATION_TIMESTAMP, encTimestamp.length);
        peer.cookies.addMacs(msg);
        return msg;
    }

    /**
     * Consumes one handshake message (type 1, 2 or 3) received from {@code source} (see
     * {@link #sourceKey}); {@code underLoad} makes initiations and responses without a valid MAC2
     * get a cookie reply instead. Never throws.
     */
    public synchronized HandshakeOutcome receive(byte[] buf, int off, int len, byte[] source, boolean underLoad) {
        try {
            HandshakeOutcome outcome = dispatch(buf, off, len, source, underLoad);
            if (outcome.reason() != null) {
                counters.reject(outcome.reason());
            }
            return outcome;
        } catch (RuntimeException e) {
            counters.reject(RejectReason.INTERNAL_ERROR);
            return HandshakeOutcome.rejected(RejectReason.INTERNAL_ERROR);
        }
    }

    public HandshakeOutcome receive(byte[] msg, byte[] source, boolean underLoad) {
        return receive(msg, 0, msg.length, source, underLoad);
    }

    private HandshakeOutcome dispatch(byte[] buf, int off, int len, byte[] source, boolean underLoad) {
        if (buf == null || off < 0 || len < 4 || off > buf.length - len) {
            return HandshakeOutcome.rejected(RejectReason.BAD_LENGTH);
        }
        int type = getLe32(buf, off);
        int expected = switch (type) {
            case TYPE_INITIATION -> INITIATION_BYTES;
            case TYPE_RESPONSE -> RESPONSE_BYTES;
            case TYPE_COOKIE_REPLY -> COOKIE_REPLY_BYTES;
            default -> -1;
        };
        if (expected < 0) {
            return HandshakeOutcome.rejected(RejectReason.BAD_TYPE);
        }
        if (len != expected) {
            return HandshakeOutcome.rejected(RejectReason.BAD_LENGTH);
        }
        byte[] msg = Arrays.copyOfRange(buf, off, off + len);
        if (type == TYPE_COOKIE_REPLY) {
            return consumeCookieReply(msg);
        }
        if (!cookieChecker.checkMac1(msg)) {
            return HandshakeOutcome.rejected(RejectReason.BAD_MAC1);
        }
        if (underLoad && (source == null || !cookieChecker.checkMac2(msg, source))) {
            if (source == null) {
                return HandshakeOutcome.rejected(RejectReason.COOKIE_NEEDED);
            }
            int senderIndex = getLe32(msg, type == TYPE_INITIATION ? INITIATION_SENDER : RESPONSE_SENDER);
            return HandshakeOutcome.cookieReply(cookieChecker.createReply(msg, senderIndex, source));
        }
        return type == TYPE_INITIATION ? consumeInitiation(msg) : consumeResponse(msg);
    }

    private HandshakeOutcome consumeInitiation(byte[] msg) {
        byte[] c = INITIAL_CHAIN_KEY.clone();
        byte[] h = responderStartHash.clone();
        byte[] ePub = Arrays.copyOfRange(msg, INITIATION_EPHEMERAL, INITIATION_EPHEMERAL + KEY_BYTES);
        c = Kdf.kdf1(c, ePub);
        h = Blake2s.hash(h, ePub);

        byte[] es = X25519.scalarMult(local.privateKeyRef(), ePub);
        if (es == null) {
            return HandshakeOutcome.rejected(RejectReason.BAD_DH);
        }
        byte[][] ck = Kdf.kdf2(c, es);
        c = ck[0];
        byte[] encStatic = Arrays.copyOfRange(msg, INITIATION_STATIC, INITIATION_TIMESTAMP);
        byte[] peerStatic = ChaChaPoly.open(ck[1], ChaChaPoly.nonce(0), encStatic, h);
        if (peerStatic == null) {
            return HandshakeOutcome.rejected(RejectReason.DECRYPT_FAILED);
        }
        h = Blake2s.hash(h, encStatic);

        NoisePeer peer = peers.get(ByteBuffer.wrap(peerStatic));
        if (peer == null) {
            return HandshakeOutcome.rejected(RejectReason.UNKNOWN_PEER);
        }
        if (peer.staticStatic == null) {
            return HandshakeOutcome.rejected(RejectReason.BAD_DH);
        }
        ck = Kdf.kdf2(c, peer.staticStatic);
        c = ck[0];
        byte[] encTimestamp = Arrays.copyOfRange(msg, INITIATION_TIMESTAMP, INITIATION_MAC1);
        byte[] timestamp = ChaChaPoly.open(ck[1], ChaChaPoly.nonce(0), encTimestamp, h);
        if (timestamp == null) {
            return HandshakeOutcome.rejected(RejectReason.DECRYPT_FAILED);
        }
        h = Blake2s.hash(h, encTimestamp);

        if (!Tai64n.after(timestamp, peer.lastTimestamp)) {
            return HandshakeOutcome.rejected(RejectReason.REPLAYED_TIMESTAMP);
        }
        long now = clock.nanoTime();
        if (peer.consumedAnyInitiation && now - peer.lastInitiationNanos <= FLOOD_NANOS) {
            return HandshakeOutcome.rejected(RejectReason.FLOOD);
        }

        abandonPending(peer);
        System.arraycopy(timestamp, 0, peer.lastTimestamp, 0, TIMESTAMP_BYTES);
        peer.lastInitiationNanos = now;
        peer.consumedAnyInitiation = true;
        peer.remoteIndex = getLe32(msg, INITIATION_SENDER);
        peer.remoteEphemeral = ePub;
        peer.chainKey = c;
        peer.hash = h;
        peer.state = NoisePeer.State.INITIATION_CONSUMED;
        counters.accept(TYPE_INITIATION);
        return createResponse(peer);
    }

    private HandshakeOutcome createResponse(NoisePeer peer) {
        byte[] c = peer.chainKey;
        byte[] h = peer.hash;
        byte[] ePriv = X25519.generatePrivateKey(random);
        byte[] ePub = X25519.publicKey(ePriv);
        c = Kdf.kdf1(c, ePub);
        h = Blake2s.hash(h, ePub);
        byte[] ee = X25519.scalarMult(ePriv, peer.remoteEphemeral);
        byte[] se = X25519.scalarMult(ePriv, peer.publicKeyRef());
        if (ee == null || se == null) {
            peer.clearHandshake();
            return HandshakeOutcome.rejected(RejectReason.BAD_DH);
        }
        c = Kdf.kdf1(c, ee);
        c = Kdf.kdf1(c, se);
        byte[][] ctk = Kdf.kdf3(c, peer.psk);
        c = ctk[0];
        h = Blake2s.hash(h, ctk[1]);
        byte[] encEmpty = ChaChaPoly.seal(ctk[2], ChaChaPoly.nonce(0), EMPTY, h);
        h = Blake2s.hash(h, encEmpty);

        int localIndex = indexes.allocate(peer);
        byte[] msg = new byte[RESPONSE_BYTES];
        putLe32(msg, 0, TYPE_RESPONSE);
        putLe32(msg, RESPONSE_SENDER, localIndex);
        putLe32(msg, RESPONSE_RECEIVER, peer.remoteIndex);
        System.arraycopy(ePub, 0, msg, RESPONSE_EPHEMERAL, KEY_BYTES);
        System.arraycopy(encEmpty, 0, msg, RESPONSE_EMPTY, encEmpty.length);
        peer.cookies.addMacs(msg);

        byte[][] keys = Kdf.kdf2(c, EMPTY);
        SessionKeys session = new SessionKeys(localIndex, peer.remoteIndex, keys[1], keys[0], false, peer.publicKeyRef());
        wipeAll(keys);
        Arrays.fill(ePriv, (byte) 0);
        peer.clearHandshake();
        return HandshakeOutcome.response(peer, msg, session);
    }

    private HandshakeOutcome consumeResponse(byte[] msg) {
        int receiver = getLe32(msg, RESPONSE_RECEIVER);
        NoisePeer peer = indexes.lookup(receiver);
        if (peer == null || peer.state != NoisePeer.State.INITIATION_CREATED || peer.localIndex != receiver) {
            return HandshakeOutcome.rejected(RejectReason.UNKNOWN_INDEX);
        }
        byte[] c = peer.chainKey;
        byte[] h = peer.hash;
        byte[] ePub = Arrays.copyOfRange(msg, RESPONSE_EPHEMERAL, RESPONSE_EPHEMERAL + KEY_BYTES);
        c = Kdf.kdf1(c, ePub);
        h = Blake2s.hash(h, ePub);
        byte[] ee = X25519.scalarMult(peer.localEphemeral, ePub);
        byte[] se = X25519.scalarMult(local.privateKeyRef(), ePub);
        if (ee == null || se == null) {
            return HandshakeOutcome.rejected(RejectReason.BAD_DH);
        }
        c = Kdf.kdf1(c, ee);
        c = Kdf.kdf1(c, se);
        byte[][] ctk = Kdf.kdf3(c, peer.psk);
        c = ctk[0];
        h = Blake2s.hash(h, ctk[1]);
        byte[] encEmpty = Arrays.copyOfRange(msg, RESPONSE_EMPTY, RESPONSE_MAC1);
        if (ChaChaPoly.open(ctk[2], ChaChaPoly.nonce(0), encEmpty, h) == null) {
            return HandshakeOutcome.rejected(RejectReason.DECRYPT_FAILED);
        }
        int remoteIndex = getLe32(msg, RESPONSE_SENDER);
        byte[][] keys = Kdf.kdf2(c, EMPTY);
        SessionKeys session = new SessionKeys(receiver, remoteIndex, keys[0], keys[1], true, peer.publicKeyRef());
        wipeAll(keys);
        peer.remoteIndex = remoteIndex;
        peer.clearHandshake(); // the local index now belongs to the session
        counters.accept(TYPE_RESPONSE);
        return HandshakeOutcome.established(peer, session);
    }

    private HandshakeOutcome consumeCookieReply(byte[] msg) {
        int receiver = getLe32(msg, COOKIE_RECEIVER);
        NoisePeer peer = indexes.lookup(receiver);
        if (peer == null) {
            return HandshakeOutcome.rejected(RejectReason.UNKNOWN_INDEX);
        }
        if (!peer.cookies.consumeReply(msg)) {
            return HandshakeOutcome.rejected(RejectReason.DECRYPT_FAILED);
        }
        counters.accept(TYPE_COOKIE_REPLY);
        return HandshakeOutcome.cookieStored(peer);
    }

    /** A pending initiation we sent will never complete once we start another or answer the peer's. */
    private void abandonPending(NoisePeer peer) {
        if (peer.state == NoisePeer.State.INITIATION_CREATED) {
            indexes.release(peer.localIndex);
        }
        peer.clearHandshake();
    }

    private void requireOwn(NoisePeer peer) {
        if (peers.get(ByteBuffer.wrap(peer.publicKeyRef())) != peer) {
            throw new IllegalArgumentException("peer was not added to this handshake instance");
        }
    }

    private static void wipeAll(byte[][] keys) {
        for (byte[] k : keys) {
            Arrays.fill(k, (byte) 0);
        }
    }

    int indexCount() {
        return indexes.size();
    }
}
