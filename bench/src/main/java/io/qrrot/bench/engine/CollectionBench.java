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
 * Hash and set commands through {@link Engine#execute}, the whole command path (lookup, lock, handler, effect,
 * the log call, apply, reply), on 100,000 small hashes of 10 fields (packed) and small sets of 10 integers
 * (intsets), and on one hash and one set of 1M elements (element tables). Each operation picks a random key
 * and element. Run with {@code -prof gc}: the single-key commands must allocate nothing per operation.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class CollectionBench {
    static final int SMALL = 100_000;
    static final int BIG = 1_000_000;
    private static final byte[] HSET = BenchClient.bytes("HSET");
    private static final byte[] HGET = BenchClient.bytes("HGET");
    private static final byte[] HINCRBY = BenchClient.bytes("HINCRBY");
    private static final byte[] SADD = BenchClient.bytes("SADD");
    private static final byte[] SISMEMBER = BenchClient.bytes("SISMEMBER");
    private static final byte[] SREM = BenchClient.bytes("SREM");
    private static final byte[] BIG_HASH = BenchClient.bytes("bighash");
    private static final byte[] BIG_SET = BenchClient.bytes("bigset");
    private static final byte[] ONE = BenchClient.bytes("1");

    private Engine engine;
    private final EngineBench.CountingLog log = new EngineBench.CountingLog();

    /** A client of this benchmark's engine. */
    @State(Scope.Thread)
    public static class Client extends BenchClient {
        @Setup(Level.Trial)
        public void open(CollectionBench bench) {
            session = bench.engine.newSession();
        }
    }

    private static final byte[] H = BenchClient.bytes("h:");
    private static final byte[] S = BenchClient.bytes("s:");
    private static final byte[] F = BenchClient.bytes("f");
    private static final byte[] V = BenchClient.bytes("v");
    private static final byte[] NONE = new byte[0];

    @Setup(Level.Trial)
    public void load() {
        engine = new Engine(EngineConfig.defaults().withShards(256).withExpectedKeys(2L * SMALL), Clock.SYSTEM);
        BenchClient c = new BenchClient();
        c.session = engine.newSession();
        for (int i = 0; i < SMALL; i++) {
            c.args.clear();
            c.args.add(HSET);
            c.add(H, i);
            for (int f = 0; f < 10; f++) {
                c.add(F, f);
                c.add(V, f);
            }
            engine.execute(c.session, c.args, c.reply, EffectLog.NONE);
            c.args.clear();
            c.args.add(SADD);
            c.add(S, i);
            for (int m = 0; m < 10; m++) {
                c.add(NONE, m * 7);
            }
            engine.execute(c.session, c.args, c.reply, EffectLog.NONE);
        }
        for (int i = 0; i < BIG; i += 1000) {
            c.args.clear();
            c.args.add(HSET);
            c.args.add(BIG_HASH);
            for (int f = i; f < i + 1000; f++) {
                c.add(F, f);
                c.add(V, f);
            }
            engine.execute(c.session, c.args, c.reply, EffectLog.NONE);
            c.args.clear();
            c.args.add(SADD);
            c.args.add(BIG_SET);
            for (int m = i; m < i + 1000; m++) {
                c.add(F, m);
            }
            engine.execute(c.session, c.args, c.reply, EffectLog.NONE);
        }
        c.session.close();
    }

    @TearDown(Level.Trial)
    public void close() {
        engine.close();
    }

    @Benchmark
    public long hsetSmall(Client c) {
        c.args.clear();
        c.args.add(HSET);
        c.add(H, c.next(SMALL));
        c.add(F, c.next(10));
        c.add(V, c.next(1000));
        return engine.execute(c.session, c.args, c.reply, log);
    }

    @Benchmark
    public long hgetSmall(Client c) {
        c.args.clear();
        c.args.add(HGET);
        c.add(H, c.next(SMALL));
        c.add(F, c.next(10));
        engine.execute(c.session, c.args, c.reply, log);
        return c.reply.sum;
    }

    @Benchmark
    public long hincrbySmall(Client c) {
        c.args.clear();
        c.args.add(HINCRBY);
        c.add(H, c.next(SMALL));
        c.add(F, 10 + c.next(3));
        c.args.add(ONE);
        return engine.execute(c.session, c.args, c.reply, log);
    }

    @Benchmark
    public long hsetBig(Client c) {
        c.args.clear();
        c.args.add(HSET);
        c.args.add(BIG_HASH);
        c.add(F, c.next(BIG));
        c.add(V, c.next(1000));
        return engine.execute(c.session, c.args, c.reply, log);
    }

    @Benchmark
    public long hgetBig(Client c) {
        c.args.clear();
        c.args.add(HGET);
        c.args.add(BIG_HASH);
        c.add(F, c.next(BIG));
        engine.execute(c.session, c.args, c.reply, log);
        return c.reply.sum;
    }

    @Benchmark
    public long saddSremSmall(Client c) {
        long key = c.next(SMALL);
        long member = 1 + c.next(6) * 7 + 70;
        c.args.clear();
        c.args.add(SADD);
        c.add(S, key);
        c.add(NONE, member);
        engine.execute(c.session, c.args, c.reply, log);
        c.args.clear();
        c.args.add(SREM);
        c.add(S, key);
        c.add(NONE, member);
        return engine.execute(c.session, c.args, c.reply, log);
    }

    @Benchmark
    public long sismemberBig(Client c) {
        c.args.clear();
        c.args.add(SISMEMBER);
        c.args.add(BIG_SET);
        c.add(F, c.next(2L * BIG));
        engine.execute(c.session, c.args, c.reply, log);
        return c.reply.sum;
    }
}
