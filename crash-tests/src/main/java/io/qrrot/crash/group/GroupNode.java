package io.qrrot.crash.group;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * One member of a replicated group run as a child process ({@code qrrot serve --cluster}) on its own loopback
 * address and fixed ports, so that it can be killed, paused, wiped and started again as the same member.
 */
public final class GroupNode implements AutoCloseable {
    final String name;
    final String host;
    final int port;
    final int raftPort;
    private final Path jar;
    private final Path dir;
    private final Path log;
    private final List<String> extraArgs;
    private String peers;
    private Process process;
    private boolean paused;

    GroupNode(String name, String host, int port, int raftPort, Path jar, Path root, List<String> extraArgs) {
        this.name = name;
        this.host = host;
        this.port = port;
        this.raftPort = raftPort;
        this.jar = jar;
        this.dir = root.resolve(name);
        this.log = root.resolve(name + ".log");
        this.extraArgs = extraArgs;
    }

    void peers(String peers) {
        this.peers = peers;
    }

    String peerSpec() {
        return name + "=" + host + ":" + port + "@" + raftPort;
    }

    /** Starts the member and waits until it answers PING (it may have no leader yet). */
    void start(long timeoutMillis) throws IOException, InterruptedException {
        if (alive()) {
            throw new IllegalStateException(name + " is already running");
        }
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:+UseParallelGC", "-Dorg.slf4j.simpleLogger.showDateTime=true",
                "-Dorg.slf4j.simpleLogger.dateTimeFormat=HH:mm:ss.SSS"));
        // -Dqrrot.group.jvm="-Dorg.slf4j.simpleLogger.log.org.apache.ratis=info" shows Ratis's elections in the logs
        String jvm = System.getProperty("qrrot.group.jvm", "").trim();
        if (!jvm.isEmpty()) {
            cmd.addAll(List.of(jvm.split("\\s+")));
        }
        cmd.addAll(List.of("-jar", jar.toString(), "serve", "--cluster", "--node-id", name, "--peers", peers, "--wal",
                dir.toString()));
        cmd.addAll(extraArgs);
        process = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        paused = false;
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (!ping(500)) {
            if (!process.isAlive()) {
                throw new IOException(name + " exited with " + process.exitValue() + " during start; its log:\n"
                        + tail(40));
            }
            if (System.currentTimeMillis() > deadline) {
                throw new IOException(name + " did not answer PING within " + timeoutMillis + " ms; its log:\n"
                        + tail(40));
            }
            Thread.sleep(50);
        }
    }

    boolean alive() {
        return process != null && process.isAlive();
    }

    boolean paused() {
        return paused;
    }

    /** SIGKILL, and waits for the process to be gone. */
    void kill() throws InterruptedException, IOException {
        if (process != null) {
            if (paused) {
                signal("CONT");
            }
            process.destroyForcibly();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException(name + " survived SIGKILL for 30 s");
            }
        }
        paused = false;
    }

    /** SIGSTOP: the process freezes, as in a long GC pause or a frozen VM. */
    void pause() throws IOException, InterruptedException {
        signal("STOP");
        paused = true;
    }

    /** SIGCONT. */
    void resume() throws IOException, InterruptedException {
        signal("CONT");
        paused = false;
    }

    private void signal(String sig) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("kill", "-" + sig, Long.toString(process.pid())).inheritIO().start();
        if (p.waitFor() != 0) {
            throw new IOException("kill -" + sig + " " + process.pid() + " failed");
        }
    }

    /** Deletes the member's data directory (it must be stopped): a node that lost its disk. */
    void wipe() throws IOException {
        if (alive()) {
            throw new IllegalStateException(name + " is running");
        }
        if (Files.exists(dir)) {
            try (Stream<Path> s = Files.walk(dir)) {
                for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }

    boolean ping(int timeoutMillis) {
        return io.qrrot.crash.ServerProcess.ping(host, port, timeoutMillis, timeoutMillis);
    }

    String tail(int lines) {
        return io.qrrot.crash.ServerProcess.tail(log, lines);
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            if (paused) {
                try {
                    resume();
                } catch (IOException e) {
                    // kill below
                }
            }
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
    }

    @Override
    public String toString() {
        return name + " (" + host + ":" + port + ")";
    }
}
