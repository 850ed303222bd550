package io.qrrot.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.qrrot.recovery.Qrrot;
import io.qrrot.recovery.snapshot.SnapshotFormat;
import io.qrrot.recovery.snapshot.SnapshotInfo;
import io.qrrot.recovery.snapshot.SnapshotReader;
import io.qrrot.storage.FileStorage;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SNAPSHOT BEGIN / READ / END against the real durable database: a consistent file in bounded chunks. */
class SnapshotCommandTest {
    private static final Pattern BEGIN_RESP2 =
            Pattern.compile("\\*6\r\n\\$3\r\nlsn\r\n:(\\d+)\r\n\\$4\r\nsize\r\n:(\\d+)\r\n\\$4\r\nkeys\r\n:(\\d+)\r\n");

    @TempDir
    Path dir;

    Qrrot db;
    QrrotServer server;

    @BeforeEach
    void start() throws Exception {
        db = TestBackends.open(dir.resolve("data"));
        server = TestBackends.start(db, TestBackends.options());
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
        db.close();
    }

    private RawClient client() throws Exception {
        return new RawClient(server.port());
    }

    private record Begun(long lsn, long size, long keys) {
    }

    private static Begun begin(RawClient c) throws Exception {
        String reply = c.call("SNAPSHOT", "BEGIN");
        Matcher m = BEGIN_RESP2.matcher(reply);
        assertTrue(m.matches(), reply);
        return new Begun(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), Long.parseLong(m.group(3)));
    }

    /** The bytes of a bulk string reply. */
    private static byte[] bulk(String reply) {
        assertTrue(reply.startsWith("$"), reply);
        int header = reply.indexOf("\r\n");
        int len = Integer.parseInt(reply.substring(1, header));
        assertEquals(header + 2 + len + 2, reply.length());
        return reply.substring(header + 2, header + 2 + len).getBytes(StandardCharsets.ISO_8859_1);
    }

    private static List<String> keysOf(Path file) throws Exception {
        List<String> keys = new ArrayList<>();
        try (SnapshotReader r = SnapshotReader.open(FileStorage.INSTANCE, file)) {
            r.read((type, key, value, expiry) -> {
                byte[] k = new byte[key.capacity()];
                key.getBytes(0, k);
                keys.add(new String(k, StandardCharsets.UTF_8));
            });
        }
        keys.sort(null);
        return keys;
    }

    @Test
    void chunksOfOneSnapshotEvenAfterLaterCompactionsDeleteItsFile() throws Exception {
        try (RawClient c = client(); RawClient other = client()) {
            for (String k : List.of("a", "b", "c")) {
                assertEquals("+OK\r\n", c.call("SET", k, "value-" + k));
            }
            Begun b = begin(c);
            assertEquals(3, b.keys());
            Path original = dir.resolve("data").resolve("snapshots").resolve(SnapshotFormat.fileName(b.lsn()));
            assertEquals(b.size(), Files.size(original));

            // Two more snapshots with new data: retention keeps only the newest two, so the pinned file goes.
            for (String k : List.of("d", "e")) {
                assertEquals("+OK\r\n", other.call("SET", k, "later"));
                assertEquals("+OK\r\n", other.call("SAVE"));
            }
            assertFalse(Files.exists(original), "compaction deleted the pinned snapshot's name");

            ByteArrayOutputStream got = new ByteArrayOutputStream();
            long offset = 0;
            while (true) {
                byte[] chunk = bulk(c.call("SNAPSHOT", "READ", Long.toString(b.lsn()), Long.toString(offset), "100"));
                if (chunk.length == 0) {
                    break;
                }
                assertTrue(chunk.length <= 100);
                got.write(chunk);
                offset += chunk.length;
            }
            assertEquals(b.size(), got.size());
            Path copy = dir.resolve(SnapshotFormat.fileName(b.lsn()));
            Files.write(copy, got.toByteArray());
            SnapshotInfo info = SnapshotReader.verify(FileStorage.INSTANCE, copy);
            assertEquals(b.lsn(), info.baseLsn());
            assertEquals(3, info.recordCount());
            assertEquals(List.of("a", "b", "c"), keysOf(copy));
            assertEquals("+OK\r\n", c.call("SNAPSHOT", "END"));
        }
    }

    @Test
    void errorsNameWhatIsWrong() throws Exception {
        try (RawClient c = client()) {
            assertEquals("-ERR no snapshot is open on this connection; send SNAPSHOT BEGIN first\r\n",
                    c.call("SNAPSHOT", "READ", "0", "0", "10"));
            c.call("SET", "k", "v");
            Begun b = begin(c);
            String lsn = Long.toString(b.lsn());
            assertEquals("-ERR the snapshot open on this connection has base LSN " + b.lsn() + ", not " + (b.lsn() + 1)
                    + "; send SNAPSHOT BEGIN to start over\r\n", c.call("SNAPSHOT", "READ", Long.toString(b.lsn() + 1), "0", "10"));
            assertEquals("-ERR offset " + (b.size() + 1) + " is outside the snapshot (0.." + b.size() + ")\r\n",
                    c.call("SNAPSHOT", "READ", lsn, Long.toString(b.size() + 1), "10"));
            assertEquals("-ERR offset -1 is outside the snapshot (0.." + b.size() + ")\r\n",
                    c.call("SNAPSHOT", "READ", lsn, "-1", "10"));
            assertEquals("-ERR count must be 1..4194304 bytes\r\n", c.call("SNAPSHOT", "READ", lsn, "0", "0"));
            assertEquals("-ERR count must be 1..4194304 bytes\r\n", c.call("SNAPSHOT", "READ", lsn, "0", "4194305"));
            assertEquals("-ERR value is not an integer or out of range\r\n", c.call("SNAPSHOT", "READ", lsn, "x", "1"));
            assertEquals("$0\r\n\r\n", c.call("SNAPSHOT", "READ", lsn, Long.toString(b.size()), "10"));
            assertEquals("$4\r\nQRRT\r\n", c.call("SNAPSHOT", "READ", lsn, "0", "4"));
            assertEquals("-ERR wrong number of arguments for 'snapshot|read' command\r\n", c.call("SNAPSHOT", "READ", lsn));
            assertEquals("-ERR wrong number of arguments for 'snapshot|begin' command\r\n", c.call("SNAPSHOT", "BEGIN", "x"));
            assertEquals("-ERR unknown subcommand 'FOO'. Try SNAPSHOT HELP.\r\n", c.call("SNAPSHOT", "FOO"));
            assertEquals("-ERR wrong number of arguments for 'snapshot' command\r\n", c.call("SNAPSHOT"));
            assertEquals("+OK\r\n", c.call("SNAPSHOT", "END"));
            assertEquals("-ERR no snapshot is open on this connection; send SNAPSHOT BEGIN first\r\n",
                    c.call("SNAPSHOT", "READ", lsn, "0", "10"));
            assertEquals("+OK\r\n", c.call("SNAPSHOT", "END"), "END without a snapshot is fine");

            begin(c);
            assertEquals("+RESET\r\n", c.call("RESET"));
            assertEquals("-ERR no snapshot is open on this connection; send SNAPSHOT BEGIN first\r\n",
                    c.call("SNAPSHOT", "READ", lsn, "0", "10"), "RESET closes the snapshot");

            assertEquals("+OK\r\n", c.call("MULTI"));
            assertEquals("-ERR Command not allowed inside a transaction\r\n", c.call("SNAPSHOT", "BEGIN"));
            assertEquals("+OK\r\n", c.call("DISCARD"));
        }
    }

    @Test
    void resp3AnswersAMapAndCommandKnowsIt() throws Exception {
        try (RawClient c = client()) {
            c.call("HELLO", "3");
            String reply = c.call("SNAPSHOT", "BEGIN");
            assertTrue(reply.matches("%3\r\n\\$3\r\nlsn\r\n:\\d+\r\n\\$4\r\nsize\r\n:\\d+\r\n\\$4\r\nkeys\r\n:0\r\n"), reply);
            String help = c.call("SNAPSHOT", "HELP");
            assertEquals("*9\r\n+SNAPSHOT <subcommand> [<arg> ...]. Subcommands are:\r\n+BEGIN\r\n"
                    + "+    Write a snapshot now and keep its file open for this connection. Returns its lsn, size and keys.\r\n"
                    + "+READ <lsn> <offset> <count>\r\n"
                    + "+    Return up to <count> bytes (at most 4194304) of that file from <offset>; empty at its end.\r\n"
                    + "+END\r\n+    Close the file.\r\n", help.substring(0, help.indexOf("+HELP")));
        }
        try (RawClient c = client()) {
            assertEquals("*1\r\n*10\r\n$8\r\nsnapshot\r\n:-2\r\n*2\r\n+admin\r\n+no_multi\r\n:0\r\n:0\r\n:0\r\n"
                    + "*3\r\n+@admin\r\n+@dangerous\r\n+@slow\r\n*0\r\n*0\r\n*0\r\n", c.call("COMMAND", "INFO", "snapshot"));
        }
    }

    @Test
    void passwordIsRequired() throws Exception {
        server.close();
        server = TestBackends.start(db, TestBackends.options().withRequirePass("pw"));
        try (RawClient c = client()) {
            assertEquals("-NOAUTH Authentication required.\r\n", c.call("SNAPSHOT", "BEGIN"));
            assertEquals("+OK\r\n", c.call("AUTH", "pw"));
            begin(c);
        }
    }
}
