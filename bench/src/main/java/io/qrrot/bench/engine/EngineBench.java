package io.qrrot.bench.engine;

import io.qrrot.engine.Clock;
import io.qrrot.engine.CommandArgs;
import io.qrrot.engine.EffectLog;
import io.qrrot.engine.Engine;
import io.qrrot.engine.EngineConfig;
import io.qrrot.engine.Session;
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
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * GET, SET (16-byte values) and INCR through {@link Engine#execute}, the whole command path: name lookup,
 * arity, key hash, shard lock, handler, effect encoding, the log call (a no-op log that still receives the
 * record), apply, reply (a no-op sink). The keyspace holds {@code keys} keys {@code key:0 ..}: 16-byte strings
 * for get/set, integers for incr. Each operation picks a random key and rebuilds its arguments in a reused
 * {@link CommandArgs}, as a connection does. Run with {@code -prof gc}: allocation per operation is the point.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class EngineBench {
    @Param({"1000000", "10000000"})
    public long keys;

    private Engine engine;

    /** A client: its session, argument holder, reply sink and random sequence. */
    @State(Scope.Thread)
    public static class Client {
        Session session;
        final CommandArgs args = new CommandArgs();
        final NoReply reply = new NoReply();
        long state = 0x9E3779B97F4A7C15L;

        long next(long bound) {
            long x = state;
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
            state = x;
            return (x >>> 1) % bound;
        }

        @Setup(Level.Trial)
        public void open(EngineBench bench) {
            session = bench.engine.newSession();
        }
    }

    /** Counts appended records and touches their bytes, standing in for the WAL's buffer copy. */
    static final class CountingLog implements EffectLog {
        long lsn;
        long bytes;

        @Override
        public long append(org.agrona.DirectBuffer effect, int offset, int length) {
            bytes += length + effect.getByte(offset);
            return ++lsn;
        }
    }

    private final CountingLog log = new CountingLog();

    @Setup(Level.Trial)
    public void load(BenchmarkParams params) {
        boolean ints = params.getBenchmark().endsWith("incr");
        engine = new Engine(EngineConfig.defaults().withShards(256).withExpectedKeys(keys), Clock.SYSTEM);
        Session s = engine.newSession();
        CommandArgs a = new CommandArgs();
        NoReply r = new NoReply();
        for (long i = 0; i < keys; i++) {
            a.clear();
            a.add(BenchKeys.SET);
            BenchKeys.addKey(a, i);
            if (ints) {
                a.add(new byte[] {'1'});
            } else {
                BenchKeys.addValue(a, i);
            }
            engine.execute(s, a, r, EffectLog.NONE);
        }
        s.close();
    }

    @TearDown(Level.Trial)
    public void close() {
        engine.close();
    }

    @Benchmark
    public long get(Client c) {
        CommandArgs a = c.args;
        a.clear();
        a.add(BenchKeys.GET);
        BenchKeys.addKey(a, c.next(keys));
        engine.execute(c.session, a, c.reply, log);
        return c.reply.sum;
    }

    @Benchmark
    public long set(Client c) {
        CommandArgs a = c.args;
        a.clear();
        a.add(BenchKeys.SET);
        long n = c.next(keys);
        BenchKeys.addKey(a, n);
        BenchKeys.addValue(a, n + c.state);
        return engine.execute(c.session, a, c.reply, log);
    }

    @Benchmark
    public long incr(Client c) {
        CommandArgs a = c.args;
        a.clear();
        a.add(BenchKeys.INCR);
        BenchKeys.addKey(a, c.next(keys));
        return engine.execute(c.session, a, c.reply, log);
    }
}
