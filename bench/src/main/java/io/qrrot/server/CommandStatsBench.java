package io.qrrot.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * What recording one command's statistics costs the event loop (package {@code io.qrrot.server} to reach the
 * package-private {@link CommandStats}): the clock read that times it, the per-loop counters and histogram, the
 * error check of its reply, and the engine's keyspace-hit counter (a {@link LongAdder}). {@code baseline} does the
 * same work on the reply without any of it. Run with {@code -prof gc}: nothing may be allocated.
 *
 * <pre>
 * java -jar bench/target/benchmarks.jar CommandStatsBench -f 1 -wi 3 -i 5 -w 1s -r 1s -prof gc
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class CommandStatsBench {
    private final CommandStats stats = new CommandStats(300);
    private final LongAdder hits = new LongAdder();
    private ByteBuf out;
    private long clock;
    private int command;

    @Setup(Level.Trial)
    public void setup() {
        out = PooledByteBufAllocator.DEFAULT.directBuffer(64);
        out.writeBytes("$5\r\nvalue\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        clock = System.nanoTime();
    }

    @TearDown(Level.Trial)
    public void release() {
        out.release();
    }

    @Benchmark
    public int baseline() {
        command = (command + 1) & 127;
        return out.getByte(0) + command;
    }

    @Benchmark
    public int recorded() {
        command = (command + 1) & 127;
        long now = System.nanoTime();
        long elapsed = now - clock;
        clock = now;
        stats.called(command, elapsed, out, 0);
        hits.increment();
        return out.getByte(0) + command;
    }
}
