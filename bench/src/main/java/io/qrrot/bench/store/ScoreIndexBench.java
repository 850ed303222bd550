package io.qrrot.bench.store;

import io.qrrot.engine.store.ScoreIndexHarness;
import java.util.concurrent.TimeUnit;
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
 * Operations on one {@code ScoreIndex} (the order of a large sorted set) holding {@code members} members of 8
 * bytes with random integer scores below 2^30, loaded in random order; members are picked at random. Setup
 * prints the bytes per member. Run with {@code -prof gc}: nothing allocates per operation. At 1M members every
 * operation pays the cache misses of a descent through 4 levels of 1 KiB nodes.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ScoreIndexBench {
    @Param({"1000000"})
    public int members;

    private ScoreIndexHarness index;
    private double[] scores;

    /** A per-thread random sequence. */
    @State(Scope.Thread)
    public static class Random {
        long state = 0x9E3779B97F4A7C15L;

        long next() {
            long x = state;
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
            state = x;
            return x >>> 1;
        }

        int next(int bound) {
            return (int) (next() % bound);
        }
    }

    @Setup(Level.Trial)
    public void load() {
        index = new ScoreIndexHarness(members);
        scores = new double[members];
        Random r = new Random();
        int[] order = new int[members];
        for (int i = 0; i < members; i++) {
            order[i] = i;
        }
        for (int i = members - 1; i > 0; i--) {
            int j = r.next(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        for (int i : order) {
            scores[i] = r.next(1 << 30);
            index.insert(scores[i], index.block(i));
        }
        System.out.printf("%n%d members: %.1f bytes per member, height %d%n", members,
                (double) index.memoryBytes() / members, index.height());
    }

    @TearDown(Level.Trial)
    public void close() {
        index.verify();
        index.close();
    }

    /** ZADD with a new score (ZINCRBY): remove the member and insert it again with another score. */
    @Benchmark
    public long removeInsert(Random r) {
        int i = r.next(members);
        long block = index.block(i);
        if (!index.remove(scores[i], block)) {
            throw new IllegalStateException("missing member");
        }
        double s = r.next(1 << 30);
        scores[i] = s;
        index.insert(s, block);
        return block;
    }

    /** ZRANK of a member. */
    @Benchmark
    public long rank(Random r) {
        int i = r.next(members);
        return index.rank(scores[i], index.block(i));
    }

    /** ZRANGE's start: the member at a rank. */
    @Benchmark
    public long seek(Random r) {
        return index.seek(r.next(members));
    }

    /** ZCOUNT's bounds: members below a score. */
    @Benchmark
    public long countBelow(Random r) {
        return index.countBelow(r.next(1 << 30), true);
    }
}
