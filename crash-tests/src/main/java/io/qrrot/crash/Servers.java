package io.qrrot.crash;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Ready-made servers under test. */
public final class Servers {
    private Servers() {
    }

    /**
     * The real {@code qrrot serve} jar on {@code dir}, with small WAL segments, a small compaction threshold
     * and a small sort budget, so that kills land in segment rolls, compaction (its spilled runs too) and
     * snapshot install.
     */
    public static ServerProcess qrrot(Path jar, Path dir, String fsync, List<String> extraArgs) {
        return new ServerProcess("qrrot serve --fsync " + fsync, port -> qrrotCommand(jar, dir, fsync, extraArgs, port),
                dir.resolveSibling(dir.getFileName() + "-server.log"), 60_000);
    }

    /**
     * The same server started under {@code fiu-run -x} with its libfiu control fifo at
     * {@code fifoPrefix-PID.out}, so {@link Fiu#enable} can make its fsyncs or writes fail while it runs.
     * No fault is enabled at start.
     */
    public static ServerProcess qrrotUnderFiu(Path jar, Path dir, String fsync, List<String> extraArgs, Path fifoPrefix) {
        return qrrotUnderFiu(jar, dir, fsync, extraArgs, fifoPrefix, List.of());
    }

    /** Likewise, with the libfiu commands {@code faultsAtStart} ({@link Fiu#enableCommand}) in force from exec on. */
    public static ServerProcess qrrotUnderFiu(Path jar, Path dir, String fsync, List<String> extraArgs, Path fifoPrefix,
                                              List<String> faultsAtStart) {
        return new ServerProcess("qrrot serve --fsync " + fsync + " under fiu-run"
                + (faultsAtStart.isEmpty() ? "" : " " + faultsAtStart),
                port -> Fiu.wrap(fifoPrefix, faultsAtStart, qrrotCommand(jar, dir, fsync, extraArgs, port)),
                dir.resolveSibling(dir.getFileName() + "-server.log"), 60_000);
    }

    private static List<String> qrrotCommand(Path jar, Path dir, String fsync, List<String> extraArgs, int port) {
        List<String> cmd = new ArrayList<>(List.of(javaBin(), "-Xmx512m", "-XX:+UseParallelGC",
                "-jar", jar.toString(), "serve", "--wal", dir.toString(), "--port", Integer.toString(port),
                "--fsync", fsync, "--wal-segment-bytes", "65536", "--compact-wal-bytes", "262144",
                "--compact-memory", "8kb"));
        cmd.addAll(extraArgs);
        return cmd;
    }

    /** A real redis-server with an append-only file; used to show the checker passes and fails where it should. */
    public static ServerProcess redis(Path dir, String appendfsync, boolean appendonly) {
        return new ServerProcess("redis-server appendonly " + (appendonly ? "yes" : "no") + " appendfsync " + appendfsync,
                port -> List.of("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
                        "--dir", dir.toString(), "--appendonly", appendonly ? "yes" : "no",
                        "--appendfsync", appendfsync, "--save", "", "--protected-mode", "no", "--daemonize", "no"),
                dir.resolveSibling(dir.getFileName() + "-server.log"), 60_000);
    }

    static String javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
