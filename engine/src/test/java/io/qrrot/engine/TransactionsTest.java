package io.qrrot.engine;

import static io.qrrot.engine.Script.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

/** MULTI/EXEC/DISCARD/WATCH: replies, atomicity as one effect record, WATCH semantics incl. expiry. */
class TransactionsTest {
    @Test
    void queueingAndErrors() {
        try (Harness h = new Harness()) {
            expect(h, "EXEC", "-ERR EXEC without MULTI");
            expect(h, "DISCARD", "-ERR DISCARD without MULTI");
            expect(h, "MULTI", "+OK");
            expect(h, "MULTI", "-ERR MULTI calls can not be nested");
            expect(h, "WATCH a", "-ERR WATCH inside MULTI is not allowed");
            expect(h, "SET a x", "+QUEUED");
            expect(h, "INCR a", "+QUEUED");
            expect(h, "GET a", "+QUEUED");
            expect(h, "EXEC", "[+OK, -ERR value is not an integer or out of range, $x]");
            expect(h, "MULTI", "+OK");
            expect(h, "FOO", "-ERR unknown command 'FOO', with args beginning with: ");
            expect(h, "SET a 2", "+QUEUED");
            expect(h, "EXEC", "-EXECABORT Transaction discarded because of previous errors.");
            expect(h, "GET a", "$x");
            expect(h, "MULTI", "+OK");
            expect(h, "GET", "-ERR wrong number of arguments for 'get' command");
            expect(h, "EXEC", "-EXECABORT Transaction discarded because of previous errors.");
            expect(h, "MULTI", "+OK");
            expect(h, "EXEC x", "-EXECABORT Transaction discarded because of: wrong number of arguments for 'exec' command");
            expect(h, "EXEC", "-ERR EXEC without MULTI");
            expect(h, "MULTI", "+OK");
            expect(h, "EXEC", "[]");
            expect(h, "MULTI", "+OK");
            expect(h, "SET b 1", "+QUEUED");
            expect(h, "DISCARD", "+OK");
            expect(h, "GET b", "$nil");
        }
    }

    @Test
    void aLargeTransactionIsNotKeptAfterExecOrDiscard() {
        try (Harness h = new Harness()) {
            for (String end : new String[] {"EXEC", "DISCARD"}) {
                expect(h, "MULTI", "+OK");
                for (int i = 0; i < 1000; i++) {
                    expect(h, "SET k" + i + " v", "+QUEUED");
                }
                h.call(end);
                assertEquals(Session.KEEP_QUEUED, h.session.heldQueueSlots(), "after " + end);
            }
            expect(h, "MULTI", "+OK");
            expect(h, "SET big " + "x".repeat(Session.KEEP_ARGS_BYTES + 1), "+QUEUED");
            expect(h, "EXEC", "[+OK]");
            assertEquals(Session.KEEP_QUEUED - 1, h.session.heldQueueSlots(), "an oversized holder is dropped");
        }
    }

    @Test
    void execIsOneEffectRecordAndSeesItsOwnWrites() {
        try (Harness h = new Harness()) {
            expect(h, "MULTI", "+OK");
            expect(h, "SET q 1", "+QUEUED");
            expect(h, "RENAME q q2", "+QUEUED");
            expect(h, "APPEND q2 0", "+QUEUED");
            expect(h, "INCR q2", "+QUEUED");
            expect(h, "DEL q2 q2", "+QUEUED");
            expect(h, "EXISTS q2", "+QUEUED");
            expect(h, "SET t 1", "+QUEUED");
            expect(h, "DBSIZE", "+QUEUED");
            expect(h, "KEYS *", "+QUEUED");
            expect(h, "FLUSHALL", "+QUEUED");
            expect(h, "SET u 2", "+QUEUED");
            expect(h, "DBSIZE", "+QUEUED");
            expect(h, "SCAN 0", "+QUEUED");
            expect(h, "RANDOMKEY", "+QUEUED");
            int before = h.log.snapshot().size();
            expect(h, "EXEC", "[+OK, +OK, :2, :11, :1, :0, +OK, :1, [$t], +OK, +OK, :1, [$0, [$u]], $u]");
            assertEquals(before + 1, h.log.snapshot().size(), "one record for the whole transaction");
            expect(h, "KEYS *", "[$u]");
        }
    }

    @Test
    void watchAbortsWhenAnotherClientWrites() {
        try (Harness h = new Harness()) {
            Session other = h.engine.newSession();
            expect(h, "SET a 1", "+OK");
            expect(h, "WATCH a", "+OK");
            expect(h, other, "SET a 2", "+OK");
            expect(h, "MULTI", "+OK");
            expect(h, "INCR a", "+QUEUED");
            expect(h, "EXEC", "*nil");
            expect(h, "GET a", "$2");
            // EXEC unwatched: the next transaction runs.
            expect(h, "MULTI", "+OK");
            expect(h, "INCR a", "+QUEUED");
            expect(h, "EXEC", "[:3]");
            // A failed conditional write is no change.
            expect(h, "WATCH a", "+OK");
            expect(h, other, "SET a 9 NX", "$nil");
            expect(h, other, "DEL nothing", ":0");
            expect(h, other, "GET a", "$3");
            expect(h, "MULTI", "+OK");
            expect(h, "INCR a", "+QUEUED");
            expect(h, "EXEC", "[:4]");
            // UNWATCH forgets.
            expect(h, "WATCH a", "+OK");
            expect(h, "UNWATCH", "+OK");
            expect(h, other, "SET a 1", "+OK");
            expect(h, "MULTI", "+OK");
            expect(h, "INCR a", "+QUEUED");
            expect(h, "EXEC", "[:2]");
            // Deleting and flushing a watched key both count.
            expect(h, "WATCH a", "+OK");
            expect(h, other, "FLUSHALL", "+OK");
            expect(h, "MULTI", "+OK");
            expect(h, "EXEC", "*nil");
            // Watching a missing key that someone creates.
            expect(h, "WATCH b", "+OK");
            expect(h, other, "SET b 1", "+OK");
            expect(h, "MULTI", "+OK");
            expect(h, "EXEC", "*nil");
            other.close();
        }
    }

    @Test
    void watchedKeyThatExpiresAbortsButOneAlreadyExpiredDoesNot() {
        try (Harness h = new Harness()) {
            expect(h, "SET live v PX 1000", "+OK");
            expect(h, "SET dead v PX 10", "+OK");
            h.clock.advance(20);
            expect(h, "WATCH dead", "+OK");
            h.clock.advance(100);
            h.engine.activeExpireCycle(h.log, 1000); // deleting an already expired key is no change
            expect(h, "MULTI", "+OK");
            expect(h, "EXEC", "[]");
            expect(h, "WATCH live", "+OK");
            h.clock.advance(2000); // expires, nobody touches it
            expect(h, "MULTI", "+OK");
            expect(h, "EXEC", "*nil");
            expect(h, "SET live2 v PX 1000", "+OK");
            expect(h, "WATCH live2", "+OK");
            h.clock.advance(2000);
            expect(h, "GET live2", "$nil"); // lazily deleted: that is a change too
            expect(h, "MULTI", "+OK");
            expect(h, "EXEC", "*nil");
        }
    }

    @Test
    void overMaxMemoryRefusesDenyOomCommandsAndExec() {
        try (Harness h = new Harness()) {
            expect(h, "SET a 1", "+OK");
            expect(h, "MULTI", "+OK");
            expect(h, "SET b 1", "+QUEUED");
            h.engine.setMaxMemory(1);
            expect(h, "EXEC", "-EXECABORT Transaction discarded because of: OOM command not allowed when used memory > 'maxmemory'.");
            expect(h, "SET b 1", "-OOM command not allowed when used memory > 'maxmemory'.");
            expect(h, "GET a", "$1");
            expect(h, "DEL a", ":1");
            expect(h, "MULTI", "+OK");
            expect(h, "SET c 1", "-OOM command not allowed when used memory > 'maxmemory'.");
            expect(h, "EXEC", "-EXECABORT Transaction discarded because of previous errors.");
            h.engine.setMaxMemory(0);
            expect(h, "SET b 1", "+OK");
        }
    }

    @Test
    void aRefusingLogLeavesTheStoreUnchanged() {
        try (Harness h = new Harness()) {
            expect(h, "SET a 1", "+OK");
            expect(h, "SET e v PX 10", "+OK");
            h.clock.advance(100);
            h.log.failWith = "IOERR the write-ahead log failed: disk full; writes are refused until restart";
            expect(h, "SET a 2", "-IOERR the write-ahead log failed: disk full; writes are refused until restart");
            expect(h, "INCR a", "-IOERR the write-ahead log failed: disk full; writes are refused until restart");
            expect(h, "MULTI", "+OK");
            expect(h, "SET a 3", "+QUEUED");
            expect(h, "SET b 3", "+QUEUED");
            expect(h, "EXEC", "-IOERR the write-ahead log failed: disk full; writes are refused until restart");
            expect(h, "GET a", "$1");
            expect(h, "GET b", "$nil");
            // A read still answers even though it could not log the deletion of an expired key.
            expect(h, "GET e", "$nil");
            assertEquals(java.util.Set.of("a", "e"), Harness.dump(h.engine).keySet());
            h.log.failWith = null;
            expect(h, "GET e", "$nil");
            assertEquals(java.util.Set.of("a"), Harness.dump(h.engine).keySet());
        }
    }

    @Test
    void replayIsIdempotentAndLoadKeepsExpiredEntriesForExpiryToReclaim() {
        try (Harness h = new Harness()) {
            expect(h, "SET a 1 PX 5000", "+OK");
            expect(h, "APPEND a 2", ":2");
            expect(h, "PUT j {\"k\":[1,2]} json", "+OK");
            expect(h, "RENAME j j2", "+OK");
            try (Engine once = h.replay(1); Engine thrice = h.replay(3)) {
                assertEquals(Harness.dump(h.engine), Harness.dump(once));
                assertEquals(Harness.dump(h.engine), Harness.dump(thrice));
            }
            try (Engine fresh = new Engine(EngineConfig.defaults(), h.clock)) {
                UnsafeBuffer k = new UnsafeBuffer("key".getBytes());
                UnsafeBuffer v = new UnsafeBuffer("value".getBytes());
                // An expired entry is loaded: a record after the snapshot may still extend its TTL (the EXPIRE
                // was made while it lived), and only then is it gone for good.
                fresh.load(EffectCodec.TYPE_STRING, k, 0, 3, v, 0, 5, h.clock.now - 1);
                assertEquals(1, fresh.stats().keys());
                EffectWriter w = new EffectWriter();
                w.expire(0, k, 0, 3, h.clock.now + 60_000);
                w.finish();
                fresh.applyEffect(w.buffer(), 0, w.length());
                try (Session s = fresh.newSession()) {
                    TreeSink out = new TreeSink();
                    CommandArgs get = new CommandArgs();
                    get.add("GET".getBytes());
                    get.add("key".getBytes());
                    fresh.execute(s, get, out, EffectLog.NONE);
                    assertEquals("$value", Script.render(out.take()));
                }
                fresh.load(EffectCodec.TYPE_STRING, new UnsafeBuffer("k2".getBytes()), 0, 2, v, 0, 5, 0);
                fresh.load(EffectCodec.TYPE_STRING, new UnsafeBuffer("k3".getBytes()), 0, 2, v, 0, 5,
                        h.clock.now - 1);
                EngineStats st = fresh.stats();
                assertEquals(3, st.keys());
                assertEquals(2, st.expires());
                assertEquals(3, st.strings());
                // Active expiry reclaims the one that stays expired, logging its deletion.
                CapturingLog log = new CapturingLog();
                assertEquals(1, fresh.activeExpireCycle(log, 1000));
                assertEquals(1, log.snapshot().size());
                assertEquals(2, fresh.stats().keys());
            }
        }
    }

    @Test
    void aCommandThatWouldTakeTheRecordPastTheLogsLimitFailsAloneWithOneReply() {
        try (Harness h = new Harness()) {
            EffectLog small = new EffectLog() {
                @Override
                public long append(org.agrona.DirectBuffer effect, int offset, int length) {
                    return h.log.append(effect, offset, length);
                }

                @Override
                public int maxRecordBytes() {
                    return 200;
                }
            };
            String big = "x".repeat(300);
            for (String[] cmd : new String[][] {{"MULTI"}, {"SET", "a", "1"}, {"HSET", "h", "f", big},
                    {"HGET", "h", "f"}, {"SET", "b", "2"}}) {
                CommandArgs a = new CommandArgs();
                for (String x : cmd) {
                    a.add(x.getBytes());
                }
                h.engine.execute(h.session, a, h.sink, small);
                h.sink.take();
            }
            CommandArgs exec = new CommandArgs();
            exec.add("EXEC".getBytes());
            h.engine.execute(h.session, exec, h.sink, small);
            assertEquals("[+OK, -ERR the transaction's effect would exceed the write-ahead log's record limit of 200"
                    + " bytes; split it into smaller transactions, $nil, +OK]", Script.render(h.sink.take()));
            expect(h, "MGET a b h", "[$1, $2, $nil]");
            expect(h, "EXISTS h", ":0");
        }
    }

    @Test
    void activeExpiryReclaimsAndLogsDeletions() {
        try (Harness h = new Harness(EngineConfig.defaults().withShards(4).withActiveExpireBatch(8), 1_000_000L)) {
            for (int i = 0; i < 100; i++) {
                h.call("SET", "k" + i, "v", "PX", Integer.toString(i < 50 ? 10 : 100_000));
            }
            h.clock.advance(100);
            assertEquals(100, h.engine.stats().keys());
            assertEquals(100, h.engine.stats().expires());
            int records = h.log.snapshot().size();
            int deleted = h.engine.activeExpireCycle(h.log, 10);
            org.junit.jupiter.api.Assertions.assertTrue(deleted <= 10, "bounded: " + deleted);
            int total = deleted;
            for (int i = 0; i < 100 && total < 50; i++) {
                total += h.engine.activeExpireCycle(h.log, 10);
            }
            assertEquals(50, total);
            assertEquals(50, h.engine.stats().keys());
            assertEquals(50, h.engine.stats().expires());
            org.junit.jupiter.api.Assertions.assertTrue(h.log.snapshot().size() > records);
            assertEquals(0, h.engine.activeExpireCycle(h.log, 1000));
            try (Engine replayed = h.replay(1)) {
                assertEquals(Harness.dump(h.engine), Harness.dump(replayed));
            }
        }
    }
}
