package io.qrrot.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What the operating system says of this process: its resident set size and CPU time, read from
 * {@code /proc/self} (Linux). Elsewhere RSS reads as 0 and CPU time comes from the JVM, all counted as user time.
 */
final class Rss {
    private static final Path STATUS = Path.of("/proc/self/status");
    private static final Path STAT = Path.of("/proc/self/stat");
    /** Linux reports CPU time in clock ticks of 1/100 s (USER_HZ) on every architecture the JVM runs on. */
    private static final double TICKS_PER_SECOND = 100.0;

    private Rss() {
    }

    /** Resident set size in bytes (VmRSS), 0 when unknown. */
    static long bytes() {
        try {
            for (String line : Files.readAllLines(STATUS, StandardCharsets.US_ASCII)) {
                if (line.startsWith("VmRSS:")) {
                    String[] f = line.substring(6).trim().split("\\s+");
                    return Long.parseLong(f[0]) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: unknown
        }
        return 0;
    }

    /** User and system CPU seconds of the whole process: {@code [user, system]}. */
    static double[] cpuSeconds() {
        try {
            String stat = Files.readString(STAT, StandardCharsets.US_ASCII);
            // The command name (field 2) is in parentheses and may hold spaces: count fields after its ')'.
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // After the name: state is field 3, so utime (14) and stime (15) are at 11 and 12.
            return new double[] {Long.parseLong(f[11]) / TICKS_PER_SECOND, Long.parseLong(f[12]) / TICKS_PER_SECOND};
        } catch (IOException | RuntimeException e) {
            var os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
            if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
                return new double[] {sun.getProcessCpuTime() / 1e9, 0};
            }
            return new double[] {0, 0};
        }
    }
}
