package io.xdpmesh.xdp.xsk;

/** Socket settings; a small mutable builder. Ring sizes are powers of two; 0 means "no such ring". */
public final class XskConfig {
    String ifname;
    int ifindex;
    int queueId;
    int rxSize = 2048;
    int txSize = 2048;
    int fillSize = 4096;
    int completionSize = 2048;
    BindMode mode = BindMode.AUTO;
    boolean needWakeup = true;
    boolean sg;
    int busyPollUsecs;
    int busyPollBudget;
    boolean preferBusyPoll;

    private XskConfig() {
    }

    /** A socket on interface ifname (looked up in the calling thread's network namespace), queue queueId. */
    public static XskConfig of(String ifname, int queueId) {
        XskConfig c = new XskConfig();
        c.ifname = ifname;
        c.queueId = queueId;
        return c;
    }

    public static XskConfig ofIndex(int ifindex, int queueId) {
        XskConfig c = new XskConfig();
        c.ifindex = ifindex;
        c.queueId = queueId;
        return c;
    }

    public XskConfig rxSize(int n) {
        rxSize = n;
        return this;
    }

    public XskConfig txSize(int n) {
        txSize = n;
        return this;
    }

    public XskConfig fillSize(int n) {
        fillSize = n;
        return this;
    }

    public XskConfig completionSize(int n) {
        completionSize = n;
        return this;
    }

    public XskConfig mode(BindMode m) {
        mode = m;
        return this;
    }

    /** XDP_USE_NEED_WAKEUP (default on): the kernel says when a syscall is needed. */
    public XskConfig needWakeup(boolean on) {
        needWakeup = on;
        return this;
    }

    /** XDP_USE_SG: frames larger than one UMEM frame arrive/leave as XDP_PKT_CONTD chains. */
    public XskConfig scatterGather(boolean on) {
        sg = on;
        return this;
    }

    /** SO_BUSY_POLL usecs, SO_BUSY_POLL_BUDGET, SO_PREFER_BUSY_POLL; applied where the kernel lets us. */
    public XskConfig busyPoll(int usecs, int budget, boolean prefer) {
        busyPollUsecs = usecs;
        busyPollBudget = budget;
        preferBusyPoll = prefer;
        return this;
    }

    void validate(Umem umem) {
        if (queueId < 0) {
            throw new IllegalArgumentException("queue id must be >= 0: " + queueId);
        }
        if (rxSize == 0 && txSize == 0) {
            throw new IllegalArgumentException("a socket needs an RX ring, a TX ring or both");
        }
        for (int n : new int[] {rxSize, txSize, fillSize, completionSize}) {
            if (n < 0 || (n != 0 && Integer.bitCount(n) != 1)) {
                throw new IllegalArgumentException("ring sizes must be powers of two: " + n);
            }
        }
        if (fillSize == 0 || completionSize == 0) {
            throw new IllegalArgumentException("fill and completion rings must not be empty");
        }
        // A fill ring larger than the UMEM can never be filled: a sizing mistake, not a tuning choice.
        if (umem.frameCount() < fillSize) {
            throw new IllegalArgumentException("UMEM too small: " + umem.frameCount()
                    + " frames cannot back a fill ring of " + fillSize + " entries");
        }
    }
}
