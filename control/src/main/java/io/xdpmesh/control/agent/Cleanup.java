package io.xdpmesh.control.agent;

import io.xdpmesh.control.StateDir;
import io.xdpmesh.xdp.bpf.BpfException;
import io.xdpmesh.xdp.bpf.XdpAttachment;
import io.xdpmesh.xdp.bpf.XdpLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * {@code xdpmesh agent --cleanup}: detaches and unpins every program the node's agent left (one
 * pin directory per interface under {@code <bpffs>/xdpmesh/<node>}) and removes its state files.
 * Run in the agent's network namespace, with the agent stopped.
 */
public final class Cleanup {
    private Cleanup() {}

    /** Returns one line per thing done. */
    public static List<String> run(String node, Path bpffs, Path stateDir) throws IOException {
        List<String> done = new ArrayList<>();
        XdpLoader loader = XdpLoader.forAgent(bpffs, node);
        Path root = loader.pinRoot();
        if (Files.isDirectory(root)) {
            List<Path> dirs;
            try (Stream<Path> s = Files.list(root)) {
                dirs = s.filter(Files::isDirectory).sorted().toList();
            }
            for (Path dir : dirs) {
                String ifname = dir.getFileName().toString();
                try {
                    Optional<XdpAttachment> a = loader.adoptExisting(ifname);
                    if (a.isPresent()) {
                        a.get().detach();
                        done.add("detached " + a.get().role().programName() + " from " + ifname + " and removed its pins");
                        continue;
                    }
                } catch (BpfException e) {
                    done.add(ifname + ": " + e.getMessage() + "; removing its pins");
                }
                deleteTree(dir);
                done.add("removed pins of " + ifname + " (no program of ours attached)");
            }
            deleteTree(root);
        } else {
            done.add("no pins under " + root);
        }
        for (String f : List.of(StateDir.COUNTERS, StateDir.FLOWS, StateDir.AUTH_CACHE, StateDir.STATUS)) {
            if (Files.deleteIfExists(stateDir.resolve(f))) {
                done.add("removed " + stateDir.resolve(f));
            }
        }
        return done;
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            for (Path q : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(q);
            }
        }
    }
}
