package io.qrrot.bench.store;

import io.qrrot.engine.store.ElementTableHarness;
import java.util.concurrent.TimeUnit;
import org.agrona.UnsafeApi;
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
 * Operations on one {@code ElementTable} (the large encoding of a hash) holding {@code elements} fields of 8
 * bytes (the field number, little-endian) with 8-byte values, fields picked at random; each operation hashes the
 * field as a command would. The table is grown from empty by doubling, as HSET would grow it; setup prints the
 * bytes per field and the slowest single insert (the last doubling). Run with {@code -prof gc}: the steady state
 * allocates nothing per operation. 1000 fields fit in the CPU caches and show the cost of the code; 1M adds the
 * cache and TLB misses of random access to the slot and the element block.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ElementTableBench {
    @Param({"1000", "1000000"})
    public int elements;

    private ElementTableHarness table;

    /** Per-thread reusable buffers and a random sequence. */
    @State(Scope.Thread)
    public static class Cursor {
        final UnsafeBuffer field = new UnsafeBuffer(new byte[8]);
        final UnsafeBuffer value = new UnsafeBuffer(new byte[8]);
        long state = 0x9E3779B97F4A7C15L;

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
        table = new ElementTableHarness(true, 0);
        Cursor c = new Cursor();
        long slowest = 0;
        for (long i = 0; i < elements; i++) {
            c.field.putLong(0, i);
            c.value.putLong(0, ~i);
            long t0 = System.nanoTime();
            table.put(c.field, 0, 8, ElementTableHarness.hash(c.field, 0, 8), c.value, 0, 8);
            slowest = Math.max(slowest, System.nanoTime() - t0);
        }
        System.out.printf("%n%d fields: %.1f bytes per field (block bytes), %.1f allocated from the OS, "
                + "2^%d home slots, slowest insert %.2f ms%n", elements, (double) table.memoryBytes() / elements,
                (double) table.allocatedBytes() / elements, table.capacityBits(), slowest / 1e6);
    }

    @TearDown(Level.Trial)
    public void close() {
        table.close();
    }

    /** HGET of an existing field: hash, probe, compare the 8 bytes, read the 8-byte value. */
    @Benchmark
    public long findHit(Cursor c) {
        c.field.putLong(0, c.next(elements));
        long block = table.find(c.field, 0, 8, ElementTableHarness.hash(c.field, 0, 8));
        if (block == 0) {
            throw new IllegalStateException("missing field");
        }
        return UnsafeApi.getLong(ElementTableHarness.payloadAddress(block));
    }

    /** HGET or HEXISTS of a field that is not there. */
    @Benchmark
    public long findMiss(Cursor c) {
        c.field.putLong(0, elements + c.next(elements));
        return table.find(c.field, 0, 8, ElementTableHarness.hash(c.field, 0, 8));
    }

    /** HSET of an existing field with a new 8-byte value: rewritten in place. */
    @Benchmark
    public boolean put(Cursor c) {
        long n = c.next(elements);
        c.field.putLong(0, n);
        c.value.putLong(0, n ^ c.state);
        return table.put(c.field, 0, 8, ElementTableHarness.hash(c.field, 0, 8), c.value, 0, 8);
    }

    /** HDEL then HSET of the same field: block free and allocation, backward shift and Robin Hood insert. */
    @Benchmark
    public boolean removePut(Cursor c) {
        c.field.putLong(0, c.next(elements));
        long hash = ElementTableHarness.hash(c.field, 0, 8);
        table.remove(c.field, 0, 8, hash);
        return table.put(c.field, 0, 8, hash, c.value, 0, 8);
    }
}
