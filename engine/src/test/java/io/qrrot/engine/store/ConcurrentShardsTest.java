package io.qrrot.engine.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicReference;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

/**
 * Several threads write and read overlapping keys under shard locks. Every value a writer stores is
 * self-describing (its length determines every byte and the expiry), so a torn or half-written entry seen
 * by a reader fails the check. Replay with {@code -Dqrrot.seed=N}.
 */
class ConcurrentShardsTest {
    private static final int KEYS = 48;
    private static final int THREADS = 4;
    private static final int OPS = 40_000;

    @Test
    void readersNeverSeeATornEntry() throws Exception {
        run(KeyspaceConfig.defaults().withShards(4));
    }

    @Test
    void readersNeverSeeATornEntryWithCollisions() throws Exception {
        run(KeyspaceConfig.defaults().withShards(2).withHasher(new CollidingHasher(5)));
    }

    private void run(KeyspaceConfig config) throws Exception {
        long seed = Seeds.seed();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        try (Keyspace keyspace = new Keyspace(config)) {
            CyclicBarrier start = new CyclicBarrier(THREADS);
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                long threadSeed = seed + t;
                Thread thread = new Thread(() -> {
                    try {
                        start.await();
                        work(keyspace, new Random(threadSeed));
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                    }
                });
                threads.add(thread);
                thread.start();
            }
            for (Thread thread : threads) {
                thread.join();
            }
            Throwable f = failure.get();
            assertNull(f, () -> "seed=" + seed + ": " + f);
            keyspace.verify();
        }
    }

    private static void work(Keyspace keyspace, Random random) {
        EntryView view = new EntryView();
        UnsafeBuffer key = new UnsafeBuffer(new byte[16]);
        byte[] valueBytes = new byte[9000];
        UnsafeBuffer value = new UnsafeBuffer(valueBytes);
        for (int op = 0; op < OPS; op++) {
            byte[] k = ("key:" + random.nextInt(KEYS)).getBytes();
            key.wrap(k);
            long hash = keyspace.hash(k, 0, k.length);
            Shard shard = keyspace.shardFor(hash);
            int r = random.nextInt(100);
            int length = random.nextInt(20) == 0 ? 4000 + random.nextInt(5000) : random.nextInt(700);
            shard.lock();
            try {
                if (r < 25) {
                    java.util.Arrays.fill(valueBytes, 0, length, fill(length));
                    shard.put(key, 0, k.length, hash, EntryType.STRING, expiryFor(length, random), value, 0, length);
                } else if (r < 35) {
                    shard.putLong(key, 0, k.length, hash, 0, length * 1_000_003L);
                } else if (r < 45) {
                    MutableDirectBuffer b = shard.replaceValue(key, 0, k.length, hash, EntryType.JSON,
                            expiryFor(length, random), length, 0);
                    b.setMemory(0, length, fill(length));
                } else if (r < 50) {
                    if (shard.find(key, 0, k.length, hash, view) && view.type() != EntryType.INT) {
                        shard.setExpiry(key, 0, k.length, hash, expiryFor(view.valueLength(), random));
                    }
                } else if (r < 55) {
                    shard.remove(key, 0, k.length, hash);
                } else if (shard.find(key, 0, k.length, hash, view)) {
                    check(view, k);
                }
            } finally {
                shard.unlock();
            }
        }
    }

    private static byte fill(int length) {
        return (byte) (length % 251);
    }

    private static long expiryFor(int length, Random random) {
        return random.nextBoolean() ? 0 : 1_000_000L + length;
    }

    private static void check(EntryView view, byte[] key) {
        assertEquals(key.length, view.keyLength());
        for (int i = 0; i < key.length; i++) {
            assertEquals(key[i], view.key().getByte(i), "key byte " + i);
        }
        if (view.type() == EntryType.INT) {
            long v = view.longValue();
            assertEquals(0, v % 1_000_003L, "int value " + v);
            assertEquals(0, view.expiry());
            return;
        }
        int length = view.valueLength();
        long expiry = view.expiry();
        if (expiry != 0) {
            assertEquals(1_000_000L + length, expiry, "expiry of a value of length " + length);
        }
        byte expected = fill(length);
        for (int i = 0; i < length; i++) {
            if (view.value().getByte(i) != expected) {
                throw new AssertionError("torn value: length " + length + " byte " + i + " is "
                        + view.value().getByte(i) + ", expected " + expected);
            }
        }
    }
}
