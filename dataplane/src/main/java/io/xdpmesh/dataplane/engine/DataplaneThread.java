package io.xdpmesh.dataplane.engine;

import io.xdpmesh.dataplane.counters.DropCounters;
import io.xdpmesh.dataplane.counters.StatCounters;
import io.xdpmesh.dataplane.session.DataplaneCommands;
import io.xdpmesh.xdp.sys.PollSet;
import io.xdpmesh.xdp.xsk.Umem;
import java.util.Queue;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;

/**
 * What one dataplane thread owns alone: its UMEM (a frame never leaves the thread: a frame cannot be
 * sent from another UMEM), the sockets bound on it (queue q of each interface with
 * q mod threads == index), its duty cycle (flow cache, session index, pending queue, TX staging,
 * cipher scratch: all inside {@link DataplaneAgent}), its command and port queues, its idle wait
 * and its own counters (same labels as every other thread's: the CLI sums by label; no two threads
 * ever write one counter, so the hot path shares no cache line).
 */
final class DataplaneThread {
    final int index;
    final DataplaneCommands commands = new DataplaneCommands(1024);
    final Queue<PortChange> portChanges = new ManyToOneConcurrentArrayQueue<>(64);
    Umem umem;
    DataplaneAgent agent;
    AgentRunner runner;
    /** What the thread sleeps in when idle (BACKOFF), null otherwise. */
    PollSet wait;
    DropCounters drops;
    StatCounters stats;

    DataplaneThread(int index) {
        this.index = index;
    }
}
