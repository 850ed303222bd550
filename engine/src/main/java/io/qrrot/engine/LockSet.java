package io.qrrot.engine;

import io.qrrot.engine.store.Keyspace;

/**
 * The shards one command (or one EXEC) locks: collected first, then locked in ascending index order so two
 * multi-shard commands never wait for each other in a cycle. Allocation-free after growth. Not thread-safe.
 */
final class LockSet {
    private final Keyspace ks;
    private int[] shards = new int[8];
    private int count;
    private boolean all;
    private boolean locked;

    LockSet(Keyspace ks) {
        this.ks = ks;
    }

    void clear() {
        count = 0;
        all = false;
    }

    void addAll() {
        all = true;
    }

    boolean isAll() {
        return all;
    }

    /** Adds a shard, keeping the set sorted and free of duplicates (sets are small: insertion). */
    void add(int shard) {
        if (all) {
            return;
        }
        int i = count;
        while (i > 0 && shards[i - 1] > shard) {
            i--;
        }
        if (i > 0 && shards[i - 1] == shard) {
            return;
        }
        if (count == shards.length) {
            shards = java.util.Arrays.copyOf(shards, count * 2);
        }
        System.arraycopy(shards, i, shards, i + 1, count - i);
        shards[i] = shard;
        count++;
    }

    void lock() {
        if (all) {
            for (int i = 0, n = ks.shardCount(); i < n; i++) {
                ks.shard(i).lock();
            }
        } else {
            for (int i = 0; i < count; i++) {
                ks.shard(shards[i]).lock();
            }
        }
        locked = true;
    }

    /** Unlocks what {@link #lock} locked (if anything) and empties the set. */
    void unlock() {
        if (locked) {
            locked = false;
            if (all) {
                for (int i = ks.shardCount() - 1; i >= 0; i--) {
                    ks.shard(i).unlock();
                }
            } else {
                for (int i = count - 1; i >= 0; i--) {
                    ks.shard(shards[i]).unlock();
                }
            }
        }
        clear();
    }
}
