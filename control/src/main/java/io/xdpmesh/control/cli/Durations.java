package io.xdpmesh.control.cli;

import java.time.Duration;
import picocli.CommandLine;

/** "90s", "15m", "24h", "30d", "-1h" (negative: already in the past, for tests), or ISO-8601. */
final class Durations implements CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String v) {
        String s = v.trim();
        boolean neg = s.startsWith("-");
        if (neg) {
            s = s.substring(1);
        }
        Duration d;
        if (s.toUpperCase().startsWith("P")) {
            d = Duration.parse(s);
        } else {
            if (s.length() < 2) {
                throw new CommandLine.TypeConversionException("bad duration '" + v + "' (e.g. 90s, 15m, 24h, 30d)");
            }
            long n;
            try {
                n = Long.parseLong(s.substring(0, s.length() - 1));
            } catch (NumberFormatException e) {
                throw new CommandLine.TypeConversionException("bad duration '" + v + "' (e.g. 90s, 15m, 24h, 30d)");
            }
            d = switch (s.charAt(s.length() - 1)) {
                case 's' -> Duration.ofSeconds(n);
                case 'm' -> Duration.ofMinutes(n);
                case 'h' -> Duration.ofHours(n);
                case 'd' -> Duration.ofDays(n);
                default -> throw new CommandLine.TypeConversionException("bad duration unit in '" + v + "' (s, m, h, d)");
            };
        }
        return neg ? d.negated() : d;
    }
}
