package io.qrrot.crash;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/**
 * A server run as a child process: each start picks a free loopback port, appends the process's output to
 * {@code server.log} beside the data, and waits for {@code +PONG}. {@link Process#destroyForcibly()} is
 * SIGKILL on Linux.
 */
public final class ServerProcess implements ServerUnderTest {
    private final String name;
    private final IntFunction<List<String>> commandForPort;
    private final Path log;
    private final long startTimeoutMillis;
    private Process process;
    private long lastStartMillis;
    /** Where this start's output begins in {@link #log}, which every start appends to. */
    private long logOffsetAtStart;

    public ServerProcess(String name, IntFunction<List<String>> commandForPort, Path log, long startTimeoutMillis) {
        this.name = name;
        this.commandForPort = commandForPort;
        this.log = log;
        this.startTimeoutMillis = startTimeoutMillis;
    }

    @Override
    public int start() throws IOException, InterruptedException {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException(name + " is already running");
        }
        int port = freePort();
        List<String> cmd = commandForPort.apply(port);
        long t0 = System.nanoTime();
        logOffsetAtStart = Files.exists(log) ? Files.size(log) : 0;
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        process = pb.start();
        long deadline = System.currentTimeMillis() + startTimeoutMillis;
        while (true) {
            if (!process.isAlive()) {
                throw new IOException(name + " exited with " + process.exitValue() + " during start; last output:\n"
                        + tail(log, 40) + "\ncommand: " + String.join(" ", cmd));
            }
            if (ping(port)) {
                lastStartMillis = (System.nanoTime() - t0) / 1_000_000;
                return port;
            }
            if (System.currentTimeMillis() > deadline) {
                process.destroyForcibly().waitFor();
                throw new IOException(name + " did not answer PING within " + startTimeoutMillis + " ms; last output:\n"
                        + tail(log, 40));
            }
            Thread.sleep(20);
        }
    }

    @Override
    public long lastStartMillis() {
        return lastStartMillis;
    }

    @Override
    public void kill() throws InterruptedException {
        if (process != null) {
            process.destroyForcibly();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException(name + " survived SIGKILL for 30 s");
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
    }

    /**
     * Graceful stop: SIGTERM, then waits up to {@code timeoutMillis} for the process to exit and returns its
     * exit status; if it is still running then, SIGKILLs it and throws, naming the hang.
     */
    @Override
    public int terminate(long timeoutMillis) throws InterruptedException {
        if (process == null) {
            throw new IllegalStateException(name + " was never started");
        }
        process.destroy();
        if (!process.waitFor(timeoutMillis, TimeUnit.MILLISECONDS)) {
            process.destroyForcibly().waitFor();
            throw new IllegalStateException(name + " did not exit within " + timeoutMillis
                    + " ms of SIGTERM and was killed; last output:\n" + tail(log, 40));
        }
        return process.exitValue();
    }

    /** Waits up to {@code timeoutMillis} for the process to exit on its own and returns its exit status. */
    public int waitForExit(long timeoutMillis) throws InterruptedException {
        if (process == null) {
            throw new IllegalStateException(name + " was never started");
        }
        if (!process.waitFor(timeoutMillis, TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException(name + " is still running after " + timeoutMillis + " ms");
        }
        return process.exitValue();
    }

    /**
     * The port this start's output names as {@code <label> on ADDR:PORT} (qrrot's ready line says
     * {@code memcached on 127.0.0.1:PORT} for {@code --memcached-port 0}), waiting up to the start timeout for the
     * line to appear.
     */
    public int portFromOutput(String label) throws IOException, InterruptedException {
        java.util.regex.Pattern p = java.util.regex.Pattern.compile(java.util.regex.Pattern.quote(label)
                + " on [^\\s:]+:(\\d+)");
        long deadline = System.currentTimeMillis() + startTimeoutMillis;
        while (true) {
            byte[] all = Files.readAllBytes(log);
            String output = new String(all, (int) Math.min(all.length, logOffsetAtStart),
                    (int) Math.max(0, all.length - logOffsetAtStart), StandardCharsets.UTF_8);
            java.util.regex.Matcher m = p.matcher(output);
            if (m.find()) {
                return Integer.parseInt(m.group(1));
            }
            if (System.currentTimeMillis() > deadline || process == null || !process.isAlive()) {
                throw new IOException(name + " never printed '" + label + " on ADDR:PORT'; last output:\n"
                        + tail(log, 40));
            }
            Thread.sleep(20);
        }
    }

    /** The file the process's output is appended to. */
    public Path log() {
        return log;
    }

    /** The process id, for tools such as fiu-ctrl. */
    public long pid() {
        return process.pid();
    }

    @Override
    public String describe() {
        return name;
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static boolean ping(int port) {
        return ping("127.0.0.1", port, 200, 2000);
    }

    /** True when the server at {@code host:port} answers PING with {@code +PONG} within the timeouts. */
    public static boolean ping(String host, int port, int connectTimeoutMillis, int readTimeoutMillis) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), connectTimeoutMillis);
            s.setSoTimeout(readTimeoutMillis);
            OutputStream out = s.getOutputStream();
            out.write("*1\r\n$4\r\nPING\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            byte[] buf = new byte[7];
            int n = in.readNBytes(buf, 0, 7);
            return n == 7 && new String(buf, StandardCharsets.US_ASCII).equals("+PONG\r\n");
        } catch (IOException e) {
            return false;
        }
    }

    /** The last {@code lines} lines of {@code file}, or why there are none. */
    public static String tail(Path file, int lines) {
        try {
            List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no output: " + e.getMessage() + ")";
        }
    }
}
