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
 * List commands through {@link Engine#execute}, the whole command path, on 100,000 small lists of 10 elements
 * and on one list of 1M elements (nodes of up to 4 KiB). A pop is followed by a push at the same end, so the
 * lists keep their size. Run with {@code -prof gc}: none may allocate per operation.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ListBench {
    static final int SMALL = 100_000;
    static final int BIG = 1_000_000;
    private static final byte[] RPUSH = BenchClient.bytes("RPUSH");
    private static final byte[] LPUSH = BenchClient.bytes("LPUSH");
    private static final byte[] LPOP = BenchClient.bytes("LPOP");
    private static final byte[] RPOP = BenchClient.bytes("RPOP");
    private static final byte[] LINDEX = BenchClient.bytes("LINDEX");
    private static final byte[] LSET = BenchClient.bytes("LSET");
    private static final byte[] LRANGE = BenchClient.bytes("LRANGE");
    private static final byte[] BIG_LIST = BenchClient.bytes("biglist");
    private static final byte[] L = BenchClient.bytes("l:");
    private static final byte[] ITEM = BenchClient.bytes("item:");
    private static final byte[] NONE = new byte[0];

    private Engine engine;
    private final EngineBench.CountingLog log = new EngineBench.CountingLog();

    /** A client of this benchmark's engine. */
    @State(Scope.Thread)
    public static class Client extends BenchClient {
        @Setup(Level.Trial)
        public void open(ListBench bench) {
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
            c.args.add(RPUSH);
            c.add(L, i);
            for (int m = 0; m < 10; m++) {
                c.add(ITEM, m);
            }
            engine.execute(c.session, c.args, c.reply, EffectLog.NONE);
        }
        for (int i = 0; i < BIG; i += 1000) {
            c.args.clear();
            c.args.add(RPUSH);
            c.args.add(BIG_LIST);
            for (int m = i; m < i + 1000; m++) {
                c.add(ITEM, m);
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
    public long rpushRpopBig(Client c) {
        c.args.clear();
        c.args.add(RPOP);
        c.args.add(BIG_LIST);
        engine.execute(c.session, c.args, c.reply, log);
        c.args.clear();
        c.args.add(RPUSH);
        c.args.add(BIG_LIST);
        c.add(ITEM, c.next(BIG));
        return engine.execute(c.session, c.args, c.reply, log);
    }

    @Benchmark
    public long lpushLpopBig(Client c) {
        c.args.clear();
        c.args.add(LPOP);
        c.args.add(BIG_LIST);
        engine.execute(c.session, c.args, c.reply, log);
        c.args.clear();
        c.args.add(LPUSH);
        c.args.add(BIG_LIST);
        c.add(ITEM, c.next(BIG));
        return engine.execute(c.session, c.args, c.reply, log);
    }

    @Benchmark
    public long lpopRpushSmall(Client c) {
        long key = c.next(SMALL);
        c.args.clear();
        c.args.add(LPOP);
        c.add(L, key);
        engine.execute(c.session, c.args, c.reply, log);
        c.args.clear();
        c.args.add(RPUSH);
        c.add(L, key);
        c.add(ITEM, c.next(10));
        return engine.execute(c.session, c.args, c.reply, log);
    }

    /** LINDEX at a random index of the 1M-element list: a walk of the node directory from the nearer end. */
    @Benchmark
    public long lindexBig(Client c) {
        c.args.clear();
        c.args.add(LINDEX);
        c.args.add(BIG_LIST);
        c.add(NONE, c.next(BIG));
        engine.execute(c.session, c.args, c.reply, log);
        return c.reply.sum;
    }

    @Benchmark
    public long lsetBig(Client c) {
        c.args.clear();
        c.args.add(LSET);
        c.args.add(BIG_LIST);
        c.add(NONE, c.next(BIG));
        c.add(ITEM, c.next(BIG));
        return engine.execute(c.session, c.args, c.reply, log);
    }

    /** LRANGE 0 99 of the big list (redis-benchmark's lrange_100). */
    @Benchmark
    public long lrange100Big(Client c) {
        c.args.clear();
        c.args.add(LRANGE);
        c.args.add(BIG_LIST);
        c.add(NONE, 0);
        c.add(NONE, 99);
        engine.execute(c.session, c.args, c.reply, log);
        return c.reply.sum;
    }
}
