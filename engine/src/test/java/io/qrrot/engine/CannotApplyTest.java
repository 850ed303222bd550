package io.qrrot.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.agrona.DirectBuffer;
import org.junit.jupiter.api.Test;

/**
 * An effect the log accepted but the store refuses (the operating system refused memory; here the store's own
 * limit, a test seam) may leave a multi-op record half applied: the command gets an error instead of an
 * exception, and a log that keeps records is told, so it can stop further writes.
 */
class CannotApplyTest {
    /** Room for the small values, not for {@link #BIG}. */
    private static final long STORE_LIMIT = 1 << 20;
    private static final String BIG = "x".repeat(2 << 20);
    private static final String REASON = "the store could not apply the effect at LSN 1, which is already in the log"
            + " (OOM command not allowed when used memory > 'maxmemory'.)";

    /** Stops accepting records once told an effect could not be applied, as the WAL does. */
    private static final class FailStopLog implements EffectLog {
        final CapturingLog records = new CapturingLog();
        final List<String> told = new ArrayList<>();

        @Override
        public long append(DirectBuffer effect, int offset, int length) {
            return records.append(effect, offset, length);
        }

        @Override
        public void check() {
            records.check();
        }

        @Override
        public EffectLogException cannotApply(long lsn, String reason, RuntimeException cause) {
            told.add(lsn + ": " + reason);
            records.failWith = "IOERR " + reason + "; writes are refused until restart";
            return new EffectLogException(records.failWith, cause);
        }
    }

    private static Harness harness() {
        return new Harness(EngineConfig.defaults().withShards(8).withStoreMemoryLimitBytes(STORE_LIMIT),
                1_000_000_000_000L);
    }

    private static String call(Harness h, EffectLog log, String... args) {
        CommandArgs a = new CommandArgs();
        for (String x : args) {
            a.add(x.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        }
        h.engine.execute(h.session, a, h.sink, log);
        return Script.render(h.sink.take());
    }

    @Test
    void aLogThatKeepsNothingGetsAnErrorReplyNotAnException() {
        try (Harness h = harness()) {
            assertEquals("-ERR " + REASON, call(h, h.log, "MSET", "a", "1", "big", BIG, "c", "3"));
            assertEquals(1, h.log.records.size(), "the record was logged before it was applied");
            assertEquals("$1", call(h, h.log, "GET", "a"), "the ops before the refused one were applied");
            assertEquals("$nil", call(h, h.log, "GET", "c"));
        }
    }

    @Test
    void aFailStopLogIsToldAndRefusesEveryLaterWrite() {
        try (Harness h = harness()) {
            FailStopLog log = new FailStopLog();
            String refused = "-IOERR " + REASON + "; writes are refused until restart";
            assertEquals(refused, call(h, log, "MSET", "a", "1", "big", BIG, "c", "3"));
            assertEquals(List.of("1: " + REASON), log.told);
            assertEquals(refused, call(h, log, "SET", "d", "4"));
            assertEquals("+OK", call(h, log, "MULTI"));
            assertEquals("+QUEUED", call(h, log, "INCR", "a"));
            assertEquals(refused, call(h, log, "EXEC"));
            assertEquals("$1", call(h, log, "GET", "a"), "reads keep working");
            assertEquals("$nil", call(h, log, "GET", "d"));
            assertEquals(1, log.records.records.size());
        }
    }
}
