package io.xdpmesh.xdp.xsk;

/** XDP_STATISTICS; a reusable holder so reading it allocates nothing. */
public final class XskStatistics {
    public long rxDropped;
    public long rxInvalidDescs;
    public long txInvalidDescs;
    public long rxRingFull;
    public long rxFillRingEmptyDescs;
    public long txRingEmptyDescs;

    @Override
    public String toString() {
        return "rx_dropped=" + rxDropped + " rx_invalid_descs=" + rxInvalidDescs + " tx_invalid_descs="
                + txInvalidDescs + " rx_ring_full=" + rxRingFull + " rx_fill_ring_empty_descs="
                + rxFillRingEmptyDescs + " tx_ring_empty_descs=" + txRingEmptyDescs;
    }
}
