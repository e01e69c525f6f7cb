package io.xdpmesh.dataplane.flow;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Merges the flows several dataplane threads recorded (one flow table region each) into one view:
 * a flow is (direction, protocol, source, destination, ports); when more than one thread saw it
 * (its packets arrived on several queues) packets and bytes are summed, first seen is the earliest,
 * last seen the latest, and the verdict is the one of the latest record (a policy change reaches
 * the threads between two batches, not at one instant). Reader side only: never on the hot path.
 */
public final class FlowMerge {
    private record Key(int direction, int protocol, InetAddress src, int srcPort, InetAddress dst, int dstPort) {
        static Key of(FlowRecord f) {
            return new Key(f.direction(), f.protocol(), f.src(), f.srcPort(), f.dst(), f.dstPort());
        }
    }

    private FlowMerge() {}

    /** One record per flow over all the lists, in first-seen order of the inputs. */
    public static List<FlowRecord> merge(List<List<FlowRecord>> perThread) {
        Map<Key, FlowRecord> byKey = new LinkedHashMap<>();
        for (List<FlowRecord> flows : perThread) {
            for (FlowRecord f : flows) {
                byKey.merge(Key.of(f), f, FlowMerge::combine);
            }
        }
        return new ArrayList<>(byKey.values());
    }

    static FlowRecord combine(FlowRecord a, FlowRecord b) {
        FlowRecord newer = b.lastSeenMillis() > a.lastSeenMillis() ? b : a;
        return new FlowRecord(a.src(), a.dst(), a.protocol(), a.srcPort(), a.dstPort(), a.packets() + b.packets(),
                a.bytes() + b.bytes(), Math.min(a.firstSeenMillis(), b.firstSeenMillis()),
                Math.max(a.lastSeenMillis(), b.lastSeenMillis()), newer.verdict(), a.direction());
    }
}
