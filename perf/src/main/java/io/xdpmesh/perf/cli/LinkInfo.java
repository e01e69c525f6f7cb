package io.xdpmesh.perf.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** An interface's MAC and MTU from `ip [-n ns] -o link show dev X` (set-up only). */
public record LinkInfo(String mac, int mtu) {
    private static final Pattern MTU = Pattern.compile(" mtu (\\d+) ");
    private static final Pattern ETHER = Pattern.compile("link/ether ([0-9a-f:]{17})");

    public static LinkInfo of(String netns, String dev) {
        List<String> cmd = new ArrayList<>(List.of("ip"));
        if (netns != null) {
            cmd.addAll(List.of("-n", netns));
        }
        cmd.addAll(List.of("-o", "link", "show", "dev", dev));
        String out;
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalArgumentException("no interface " + dev + (netns != null ? " in netns " + netns : "")
                        + ": " + out.trim());
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + String.join(" ", cmd) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        Matcher m = MTU.matcher(out);
        Matcher e = ETHER.matcher(out);
        if (!m.find() || !e.find()) {
            throw new IllegalArgumentException(dev + " is not an Ethernet interface: " + out.trim());
        }
        return new LinkInfo(e.group(1), Integer.parseInt(m.group(1)));
    }
}
