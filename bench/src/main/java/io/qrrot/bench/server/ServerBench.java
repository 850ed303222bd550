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
 * The whole server path in one JVM: a real {@link QrrotServer} over loopback TCP in front of a real database
 * (fsync {@code no}, so the disk does not dominate), driven by a client that writes a pipeline of 16 requests and
 * reads the 16 replies with preallocated buffers, so that what {@code -prof gc} reports is the server's allocation
 * (it counts every thread's). One operation is one pipeline of 16 commands. Measures what the server's own
 * bookkeeping (command counters, INFO's statistics) costs a command: run it on two builds to compare.
 *
 * <pre>
 * java --add-opens java.base/jdk.internal.misc=ALL-UNNAMED -jar bench/target/benchmarks.jar ServerBench -f 1 \
 *   -wi 3 -i 5 -w 2s -r 3s -prof gc -jvmArgsAppend --add-opens=java.base/jdk.internal.misc=ALL-UNNAMED
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ServerBench {
    static final int PIPELINE = 16;

    @Param({"SET", "GET"})
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
        dir = Files.createTempDirectory("qrrot-server-bench");
        db = DurableQrrot.open(dir.resolve("data"), QrrotOptions.defaults().withFsync(FsyncPolicy.NO));
        server = new QrrotServer(db, ServerOptions.defaults().withPort(0).withIoThreads(1));
        server.start();
        channel = SocketChannel.open(new InetSocketAddress("127.0.0.1", server.port()));
        channel.socket().setTcpNoDelay(true);
        StringBuilder one = new StringBuilder();
        for (int i = 0; i < PIPELINE; i++) {
            String key = "key:" + i;
            one.append("*2\r\n$3\r\nGET\r\n$").append(key.length()).append("\r\n").append(key).append("\r\n");
        }
        byte[] b = (command.equals("SET") ? setPipeline() : one.toString()).getBytes(StandardCharsets.US_ASCII);
        request = ByteBuffer.allocateDirect(b.length);
        request.put(b).flip();
        if (command.equals("GET")) {
            // The keys exist (a SET pipeline first, its replies read and dropped): each GET reply is a 16-byte bulk.
            ByteBuffer load = ByteBuffer.wrap(setPipeline().getBytes(StandardCharsets.US_ASCII));
            while (load.hasRemaining()) {
                channel.write(load);
            }
            read(PIPELINE * "+OK\r\n".length());
            replyBytes = PIPELINE * "$16\r\nvalue-0123456789\r\n".length();
        } else {
            replyBytes = PIPELINE * "+OK\r\n".length();
        }
    }

    private static String setPipeline() {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < PIPELINE; i++) {
            String key = "key:" + i;
            s.append("*3\r\n$3\r\nSET\r\n$").append(key.length()).append("\r\n").append(key)
                    .append("\r\n$16\r\nvalue-0123456789\r\n");
        }
        return s.toString();
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
        while (request.hasRemaining()) {
            channel.write(request);
        }
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
