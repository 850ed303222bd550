package io.qrrot.recovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A logged effect the store cannot apply (the operating system refused memory; here the store's own limit, a
 * test seam) stops writes for good, as a failed fsync does: the log and memory disagree until a restart
 * rebuilds memory from the log.
 */
class CannotApplyFailStopTest {
    private static final String REASON = "the store could not apply the effect at LSN 2, which is already in the log"
            + " (OOM command not allowed when used memory > 'maxmemory'.)";
    private static final String REFUSED = "(error) IOERR " + REASON + "; writes are refused until restart";

    @TempDir
    Path dir;

    @Test
    void writesAreRefusedAfterAnEffectCouldNotBeAppliedAndReadsKeepWorking() throws IOException {
        QrrotOptions options = QrrotOptions.defaults().withShards(8);
        String big = "x".repeat(2 << 20);
        try (Qrrot q = Qrrot.open(dir, options.withStoreMemoryLimitBytes(1 << 20))) {
            Db db = new Db(q);
            Db other = new Db(q);
            assertEquals("OK", db.run("SET", "before", "1"));

            assertEquals(REFUSED, db.run("MSET", "a", "1", "big", big, "c", "3"));

            assertEquals(REFUSED, other.run("SET", "after", "1"), "another client's write");
            assertEquals(REFUSED, db.run("DEL", "before"));
            assertEquals("OK", other.run("MULTI"));
            assertEquals("QUEUED", other.run("INCR", "before"));
            assertEquals(REFUSED, other.run("EXEC"));
            assertEquals("1", other.run("GET", "before"), "reads keep working");
            assertEquals("(nil)", other.run("GET", "after"));
            Map<String, String> persistence = q.info().get("persistence");
            assertEquals(REASON, persistence.get("wal_last_status"));
        }
        // The restart rebuilds memory from the log: the MSET is there whole or not at all.
        try (Qrrot q = Qrrot.open(dir, options)) {
            Db db = new Db(q);
            assertEquals("1", db.run("GET", "before"));
            String a = db.run("GET", "a");
            String c = db.run("GET", "c");
            String bigLength = db.run("STRLEN", "big");
            assertTrue(a.equals("(nil)") && c.equals("(nil)") && bigLength.equals("(integer) 0")
                    || a.equals("1") && c.equals("3") && bigLength.equals("(integer) " + big.length()),
                    "a=" + a + " c=" + c + " strlen(big)=" + bigLength);
            assertEquals("OK", db.run("SET", "after", "1"), "writes work again after the restart");
        }
    }
}
