package io.qrrot.bench.server;

import io.qrrot.recovery.DurableQrrot;
import io.qrrot.recovery.QrrotOptions;
import io.qrrot.server.QrrotServer;
import io.qrrot.server.ServerOptions;
import io.qrrot.wal.FsyncPolicy;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * {@link ServerBench} for the memcached text protocol: a real {@link QrrotServer} with its memcached port, over
 * loopback TCP in front of a real database (fsync {@code no}), driven by a client that writes a pipeline of 16
 * {@code set} or {@code get} requests (keys {@code key:0} .. {@code key:15}, 16-byte values, flags 0, no expiry)
 * and reads the 16 replies with preallocated buffers, so that what {@code -prof gc} reports is the server's
 * allocation. One operation is one pipeline of 16 commands; the first replies are checked byte for byte.
 *
 * <pre>
 * java --add-opens java.base/jdk.internal.misc=ALL-UNNAMED -jar bench/target/benchmarks.jar ServerBench -f 1 \
 *   -wi 3 -i 5 -w 2s -r 3s -prof gc -jvmArgsAppend --add-opens=java.base/jdk.internal.misc=ALL-UNNAMED
 * </pre>
 * (the pattern {@code ServerBench} runs this and the RESP {@link ServerBench} in one go).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class MemcachedServerBench {
    static final int PIPELINE = 16;
    static final String VALUE = "value-0123456789";

    @Param({"set", "get"})
    public String command;

    private Path dir;
    private DurableQrrot db;
    private QrrotServer server;
    private SocketChannel channel;
    private ByteBuffer request;
    private final ByteBuffer replies = ByteBuffer.allocateDirect(1 << 16);
    private int replyBytes;

    @Setup(Level.Trial)
    public void start() throws IOException {
        dir = Files.createTempDirectory("qrrot-memcached-bench");
        db = DurableQrrot.open(dir.resolve("data"), QrrotOptions.defaults().withFsync(FsyncPolicy.NO));
        server = new QrrotServer(db, ServerOptions.defaults().withPort(0).withMemcachedPort(0).withIoThreads(1));
        server.start();
        channel = SocketChannel.open(new InetSocketAddress("127.0.0.1", server.memcachedPort()));
        channel.socket().setTcpNoDelay(true);
        StringBuilder gets = new StringBuilder();
        StringBuilder getReplies = new StringBuilder();
        for (int i = 0; i < PIPELINE; i++) {
            gets.append("get key:").append(i).append("\r\n");
            getReplies.append("VALUE key:").append(i).append(" 0 ").append(VALUE.length()).append("\r\n")
                    .append(VALUE).append("\r\nEND\r\n");
        }
        String storedReplies = "STORED\r\n".repeat(PIPELINE);
        // The keys exist before either variant runs (a set pipeline first, its replies checked).
        send(ByteBuffer.wrap(setPipeline().getBytes(StandardCharsets.US_ASCII)));
        check(storedReplies);
        String expected = command.equals("set") ? storedReplies : getReplies.toString();
        byte[] b = (command.equals("set") ? setPipeline() : gets.toString()).getBytes(StandardCharsets.US_ASCII);
        request = ByteBuffer.allocateDirect(b.length);
        request.put(b).flip();
        replyBytes = expected.length();
        pipeline();
        compare(expected);
    }

    private static String setPipeline() {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < PIPELINE; i++) {
            s.append("set key:").append(i).append(" 0 0 ").append(VALUE.length()).append("\r\n")
                    .append(VALUE).append("\r\n");
        }
        return s.toString();
    }

    private void send(ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            channel.write(b);
        }
    }

    /** Reads exactly the expected replies' length and compares them. */
    private void check(String expected) throws IOException {
        read(expected.length());
        compare(expected);
    }

    /** Compares the replies just read with the expected ones. */
    private void compare(String expected) throws IOException {
        byte[] got = new byte[replies.position()];
        replies.get(0, got);
        String text = new String(got, StandardCharsets.US_ASCII);
        if (!text.equals(expected)) {
            throw new IOException("unexpected replies: " + text);
        }
    }

    private void read(int bytes) throws IOException {
        replies.clear().limit(bytes);
        while (replies.hasRemaining()) {
            if (channel.read(replies) < 0) {
                throw new IOException("the server closed the connection");
            }
        }
    }

    @Benchmark
    public int pipeline() throws IOException {
        request.rewind();
        send(request);
        read(replyBytes);
        return replies.get(0);
    }

    @TearDown(Level.Trial)
    public void stop() throws IOException {
        channel.close();
        server.close();
        db.close();
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
