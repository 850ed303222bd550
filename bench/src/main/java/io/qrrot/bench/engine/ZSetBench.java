package io.qrrot.bench.engine;

import io.qrrot.engine.Clock;
import io.qrrot.engine.EffectLog;
import io.qrrot.engine.Engine;
import io.qrrot.engine.EngineConfig;
import java.util.concurrent.TimeUnit;
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
 * Sorted-set commands through {@link Engine#execute}, the whole command path, on 100,000 small sorted sets of
 * 10 members (packed, in (score, member) order) and on one sorted set of 1M members (element table and
 * ScoreIndex). Each operation picks a random key, member and (integral) score. Run with {@code -prof gc}: the
 * single-key commands must allocate nothing per operation.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ZSetBench {
    static final int SMALL = 100_000;
    static final int BIG = 1_000_000;
    private static final byte[] ZADD = BenchClient.bytes("ZADD");
    private static final byte[] ZSCORE = BenchClient.bytes("ZSCORE");
    private static final byte[] ZINCRBY = BenchClient.bytes("ZINCRBY");
    private static final byte[] ZRANK = BenchClient.bytes("ZRANK");
    private static final byte[] ZRANGE = BenchClient.bytes("ZRANGE");
    private static final byte[] ZPOPMIN = BenchClient.bytes("ZPOPMIN");
    private static final byte[] WITHSCORES = BenchClient.bytes("WITHSCORES");
    private static final byte[] BIG_ZSET = BenchClient.bytes("bigzset");
    private static final byte[] FRACTIONS = BenchClient.bytes("fractions");
    private static final byte[] Z = BenchClient.bytes("z:");
    private static final byte[] M = BenchClient.bytes("m");
    private static final byte[] NONE = new byte[0];

    private Engine engine;
    private final EngineBench.CountingLog log = new EngineBench.CountingLog();

    /** A client of this benchmark's engine. */
    @State(Scope.Thread)
    public static class Client extends BenchClient {
        @Setup(Level.Trial)
        public void open(ZSetBench bench) {
            session = bench.engine.newSession();
        }
    }

    @Setup(Level.Trial)
    public void load() {
        engine = new Engine(EngineConfig.defaults().withShards(256).withExpectedKeys(SMALL + 1), Clock.SYSTEM);
        BenchClient c = new BenchClient();
        c.session = engine.newSession();
        for (int i = 0; i < SMALL; i++) {
            c.args.clear();
            c.args.add(ZADD);
            c.add(Z, i);
            for (int m = 0; m < 10; m++) {
                c.add(NONE, m * 10);
                c.add(M, m);
            }
            engine.execute(c.session, c.args, c.reply, EffectLog.NONE);
        }
        for (int i = 0; i < BIG; i += 1000) {
            c.args.clear();
            c.args.add(ZADD);
            c.args.add(BIG_ZSET);
            for (int m = i; m < i + 1000; m++) {
                c.add(NONE, c.next(BIG));
                c.add(M, m);
            }
            engine.execute(c.session, c.args, c.reply, EffectLog.NONE);
        }
        c.args.clear();
        c.args.add(ZADD);
        c.args.add(FRACTIONS);
        for (int m = 0; m < 10; m++) {
            c.args.add(BenchClient.bytes("0." + (m + 1) + "5"));
            c.add(M, m);
        }
        engine.execute(c.session, c.args, c.reply, EffectLog.NONE);
        c.session.close();
    }

    @TearDown(Level.Trial)
    public void close() {
        engine.close();
    }

    @Benchmark
    public long zaddSmall(Client c) {
        c.args.clear();
        c.args.add(ZADD);
        c.add(Z, c.next(SMALL));
        c.add(NONE, c.next(100));
        c.add(M, c.next(10));
        return engine.execute(c.session, c.args, c.reply, log);
    }

    @Benchmark
    public long zscoreSmall(Client c) {
        c.args.clear();
        c.args.add(ZSCORE);
        c.add(Z, c.next(SMALL));
        c.add(M, c.next(10));
        engine.execute(c.session, c.args, c.reply, log);
        return c.reply.sum;
    }

    /** ZSCORE of scores with a fraction (0.15 … 0.105): printed as %.17g ("0.14999999999999999"). */
    @Benchmark
    public long zscoreFraction(Client c) {
        c.args.clear();
        c.args.add(ZSCORE);
        c.args.add(FRACTIONS);
        c.add(M, c.next(10));
        engine.execute(c.session, c.args, c.reply, log);
        return c.reply.sum;
    }

    @Benchmark
    public long zpopminZaddSmall(Client c) {
        long key = c.next(SMALL);
        c.args.clear();
        c.args.add(ZPOPMIN);
        c.add(Z, key);
        engine.execute(c.session, c.args, c.reply, log);
        c.args.clear();
        c.args.add(ZADD);
        c.add(Z, key);
        c.add(NONE, 100 + c.next(100));
        c.add(M, 100 + c.next(10));
        return engine.execute(c.session, c.args, c.reply, log);
    }

    @Benchmark
    public long zincrbyBig(Client c) {
        c.args.clear();
        c.args.add(ZINCRBY);
        c.args.add(BIG_ZSET);
        c.add(NONE, 1 + c.next(10));
        c.add(M, c.next(BIG));
        return engine.execute(c.session, c.args, c.reply, log);
    }

    @Benchmark
    public long zscoreBig(Client c) {
        c.args.clear();
        c.args.add(ZSCORE);
        c.args.add(BIG_ZSET);
        c.add(M, c.next(BIG));
        engine.execute(c.session, c.args, c.reply, log);
        return c.reply.sum;
    }

    @Benchmark
    public long zrankBig(Client c) {
        c.args.clear();
        c.args.add(ZRANK);
        c.args.add(BIG_ZSET);
        c.add(M, c.next(BIG));
        engine.execute(c.session, c.args, c.reply, log);
        return c.reply.sum;
    }

    /** ZRANGE bigzset r r+9 WITHSCORES: ten members and their scores from a random rank. */
    @Benchmark
    public long zrange10Big(Client c) {
        long from = c.next(BIG - 10);
        c.args.clear();
        c.args.add(ZRANGE);
        c.args.add(BIG_ZSET);
        c.add(NONE, from);
        c.add(NONE, from + 9);
        c.args.add(WITHSCORES);
        engine.execute(c.session, c.args, c.reply, log);
        return c.reply.sum;
    }
}
