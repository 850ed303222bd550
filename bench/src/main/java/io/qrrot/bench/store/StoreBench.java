package io.qrrot.bench.store;

import io.qrrot.engine.store.EntryType;
import io.qrrot.engine.store.EntryView;
import io.qrrot.engine.store.Keyspace;
import io.qrrot.engine.store.KeyspaceConfig;
import io.qrrot.engine.store.Shard;
import java.util.concurrent.TimeUnit;
import org.agrona.concurrent.UnsafeBuffer;
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
 * Single-key operations on a keyspace loaded with {@code key:0 .. key:<keys-1>} and 16-byte values, keys
 * picked at random; each operation hashes the key, locks its shard and unlocks it, as the command layer
 * does. Run with {@code -prof gc}: the steady state allocates nothing per operation. The 1000-key case
 * fits in the CPU caches and shows the cost of the code; 1M and 10M add the cache and TLB misses of random
 * access to the index and the entries.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class StoreBench {
    @Param({"1000", "1000000", "10000000"})
    public long keys;

    private Keyspace keyspace;

    /** Per-thread reusable buffers and a random sequence. */
    @State(Scope.Thread)
    public static class Cursor {
        final byte[] keyBytes = new byte[32];
        final UnsafeBuffer key = new UnsafeBuffer(keyBytes);
        final UnsafeBuffer value = new UnsafeBuffer(new byte[16]);
        final EntryView view = new EntryView();
        long state = 0x9E3779B97F4A7C15L;
        long fresh = 1L << 40;

        long next(long bound) {
            long x = state;
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
            state = x;
            return (x >>> 1) % bound;
        }
    }

    @Setup(Level.Trial)
    public void load() {
        keyspace = new Keyspace(KeyspaceConfig.defaults().withExpectedKeys(keys));
        Cursor c = new Cursor();
        c.value.setMemory(0, 16, (byte) 'v');
        for (long i = 0; i < keys; i++) {
            int length = Keys.write(c.keyBytes, i);
            long hash = keyspace.hash(c.keyBytes, 0, length);
            Shard shard = keyspace.shardFor(hash);
            shard.lock();
            try {
                shard.put(c.key, 0, length, hash, EntryType.STRING, 0, c.value, 0, 16);
            } finally {
                shard.unlock();
            }
        }
    }

    @TearDown(Level.Trial)
    public void close() {
        keyspace.close();
    }

    /** GET of an existing key: hash, lock, index lookup, key compare, read the 16 value bytes. */
    @Benchmark
    public long find(Cursor c) {
        int length = Keys.write(c.keyBytes, c.next(keys));
        long hash = keyspace.hash(c.keyBytes, 0, length);
        Shard shard = keyspace.shardFor(hash);
        shard.lock();
        try {
            if (!shard.find(c.key, 0, length, hash, c.view)) {
                throw new IllegalStateException("missing key");
            }
            return c.view.value().getLong(0) + c.view.value().getLong(8);
        } finally {
            shard.unlock();
        }
    }

    /** SET of an existing key with a new 16-byte value (the steady state of an update workload). */
    @Benchmark
    public boolean put(Cursor c) {
        long n = c.next(keys);
        int length = Keys.write(c.keyBytes, n);
        c.value.putLong(0, n);
        long hash = keyspace.hash(c.keyBytes, 0, length);
        Shard shard = keyspace.shardFor(hash);
        shard.lock();
        try {
            return shard.put(c.key, 0, length, hash, EntryType.STRING, 0, c.value, 0, 16);
        } finally {
            shard.unlock();
        }
    }

    /** SET of a new key then DEL of it: block allocation and free, index insert and backward-shift removal. */
    @Benchmark
    public boolean insertRemove(Cursor c) {
        int length = Keys.write(c.keyBytes, c.fresh++);
        long hash = keyspace.hash(c.keyBytes, 0, length);
        Shard shard = keyspace.shardFor(hash);
        shard.lock();
        try {
            shard.put(c.key, 0, length, hash, EntryType.STRING, 0, c.value, 0, 16);
            return shard.remove(c.key, 0, length, hash);
        } finally {
            shard.unlock();
        }
    }
}
