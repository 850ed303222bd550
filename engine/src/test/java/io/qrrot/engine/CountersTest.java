package io.qrrot.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * The engine's counters as Redis counts them (INFO's keyspace_hits, keyspace_misses, expired_keys, avg_ttl): a lookup by a
 * read-only command is a hit when the key exists, whatever its type, and a miss when it does not; writes look
 * keys up without counting; a key is counted expired once, when a read or active expiry deletes it.
 */
class CountersTest {
    @Test
    void readOnlyLookupsCountHitsAndMisses() {
        try (Harness h = new Harness()) {
            h.call("SET", "a", "1");
            h.call("HSET", "h", "f", "v");
            assertEquals(new Engine.Counters(0, 0, 0), h.engine.counters(), "SET and HSET are writes");
            h.call("GET", "a");
            h.call("GET", "nope");
            h.call("MGET", "a", "h", "nope", "nope2");
            h.call("GET", "h"); // WRONGTYPE after the lookup found the key: a hit
            h.call("HGET", "h", "f");
            h.call("EXISTS", "a", "nope");
            assertEquals(new Engine.Counters(6, 4, 0), h.engine.counters());
            h.call("INCR", "a");
            h.call("DEL", "nope");
            h.call("APPEND", "s", "x");
            assertEquals(new Engine.Counters(6, 4, 0), h.engine.counters(), "writes do not count");
        }
    }

    @Test
    void expiredKeysCountOnceWhenReadOrReclaimed() {
        try (Harness h = new Harness()) {
            h.call("SET", "r", "1", "PX", "10");
            h.call("SET", "s", "1", "PX", "10");
            h.call("SET", "t", "1", "PX", "10");
            h.call("SET", "keep", "1");
            h.clock.advance(11);
            assertEquals(null, h.call("GET", "r"));
            assertEquals(null, h.call("GET", "r"));
            assertEquals(new Engine.Counters(0, 2, 1), h.engine.counters(), "deleted by the first GET only");
            h.engine.activeExpireCycle(h.log, 1000);
            assertEquals(3, h.engine.counters().expiredKeys(), "s and t by active expiry");
            assertEquals(1L, h.call("DBSIZE"));
        }
    }

    /** INFO's avg_ttl: Redis' running average (2 % the latest sample) of the TTLs active expiry meets. */
    @Test
    void averageTtlIsRedisRunningEstimate() {
        try (Harness h = new Harness()) {
            assertEquals(0, h.engine.avgTtl(), "none met yet");
            // One key with a TTL: each shard batch that meets keys with one is a sample, so more keys would make
            // the result depend on which shards they hash to.
            h.call("SET", "a", "1", "PX", "150000");
            h.call("SET", "c", "1"); // no TTL: not a sample
            h.engine.activeExpireCycle(h.log, 1000);
            assertEquals(150_000, h.engine.avgTtl(), "the first sample is the estimate");
            h.clock.advance(10_000);
            h.engine.activeExpireCycle(h.log, 1000);
            assertEquals(150_000 / 50 * 49 + 140_000 / 50, h.engine.avgTtl());
        }
    }
}
