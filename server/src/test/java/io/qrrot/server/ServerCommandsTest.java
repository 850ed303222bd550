package io.qrrot.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.qrrot.recovery.DurableQrrot;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The server's own commands, over a real socket, with Redis 7.0's exact reply bytes. */
class ServerCommandsTest {
    @TempDir
    static Path dir;
    private static DurableQrrot db;
    private static QrrotServer server;

    @BeforeAll
    static void start() throws Exception {
        db = TestBackends.open(dir);
        server = TestBackends.start(db, TestBackends.options());
    }

    @AfterAll
    static void stop() {
        server.close();
        TestBackends.close(db);
    }

    private static RawClient client() throws Exception {
        return new RawClient(server.port());
    }

    @Test
    void pingEchoSelectTime() throws Exception {
        try (RawClient c = client()) {
            assertEquals("+PONG\r\n", c.call("PING"));
            assertEquals("$2\r\nhi\r\n", c.call("ping", "hi"));
            assertEquals("-ERR wrong number of arguments for 'ping' command\r\n", c.call("PING", "a", "b"));
            assertEquals("$3\r\nx y\r\n", c.call("ECHO", "x y"));
            assertEquals("-ERR wrong number of arguments for 'echo' command\r\n", c.call("ECHO"));
            assertEquals("+OK\r\n", c.call("SELECT", "0"));
            assertEquals("-ERR DB index is out of range\r\n", c.call("SELECT", "1"));
            assertEquals("-ERR value is not an integer or out of range\r\n", c.call("SELECT", "x"));
            String time = c.call("TIME");
            assertTrue(time.matches("\\*2\r\n\\$10\r\n\\d{10}\r\n\\$\\d\r\n\\d{1,6}\r\n"), time);
            assertEquals("-ERR wrong number of arguments for 'time' command\r\n", c.call("TIME", "x"));
        }
    }

    @Test
    void unknownCommandsKeepTheConnectionOpen() throws Exception {
        try (RawClient c = client()) {
            assertEquals("-ERR unknown command 'foo', with args beginning with: 'bar' 'baz' \r\n",
                    c.call("foo", "bar", "baz"));
            assertEquals("-ERR unknown command 'nope', with args beginning with: \r\n", c.call("nope"));
            String longArg = "x".repeat(200);
            assertEquals("-ERR unknown command 'f', with args beginning with: '" + "x".repeat(128) + "' \r\n",
                    c.call("f", longArg, "more"));
            assertEquals("-ERR unknown command 'f', with args beginning with: 'a  b' \r\n", c.call("f", "a\r\nb"),
                    "CR and LF become spaces, as Redis does");
            assertEquals("+PONG\r\n", c.call("PING"));
        }
    }

    @Test
    void inlineCommandsAsTypedOverTelnet() throws Exception {
        try (RawClient c = client()) {
            c.send("SET greeting \"hello world\"\r\n");
            assertEquals("+OK\r\n", c.read());
            c.send("GET greeting\n");
            assertEquals("$11\r\nhello world\r\n", c.read());
            c.send("ECHO '\\'quoted\\''\r\nPING\r\n");
            assertEquals("$8\r\n'quoted'\r\n", c.read());
            assertEquals("+PONG\r\n", c.read());
        }
    }

    @Test
    void helloSwitchesProtocolAndDescribesTheServer() throws Exception {
        try (RawClient c = client()) {
            String id = c.call("CLIENT", "ID");
            String hello3 = c.call("HELLO", "3");
            assertEquals("%7\r\n$6\r\nserver\r\n$5\r\nqrrot\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n$5\r\nproto\r\n:3\r\n"
                    + "$2\r\nid\r\n" + id + "$4\r\nmode\r\n$10\r\nstandalone\r\n$4\r\nrole\r\n$6\r\nmaster\r\n"
                    + "$7\r\nmodules\r\n*0\r\n", hello3);
            assertEquals("_\r\n", c.call("GET", "missing-in-resp3"));
            assertEquals("_\r\n", c.call("CLIENT", "GETNAME"));
            String hello2 = c.call("HELLO", "2", "SETNAME", "app1");
            assertTrue(hello2.startsWith("*14\r\n"), hello2);
            assertEquals("$-1\r\n", c.call("GET", "missing-in-resp2"));
            assertEquals("$4\r\napp1\r\n", c.call("CLIENT", "GETNAME"));
            assertEquals("-NOPROTO unsupported protocol version\r\n", c.call("HELLO", "4"));
            assertEquals("-ERR Protocol version is not an integer or out of range\r\n", c.call("HELLO", "x"));
            assertEquals("-ERR Syntax error in HELLO option 'SETNAME'\r\n", c.call("HELLO", "2", "SETNAME"));
            assertEquals("-ERR Syntax error in HELLO option 'FOO'\r\n", c.call("HELLO", "2", "FOO"));
        }
    }

    @Test
    void clientSubcommands() throws Exception {
        try (RawClient c = client(); RawClient other = client()) {
            assertEquals("+OK\r\n", c.call("CLIENT", "SETNAME", "worker-1"));
            assertEquals("$8\r\nworker-1\r\n", c.call("CLIENT", "GETNAME"));
            assertEquals("-ERR Client names cannot contain spaces, newlines or special characters.\r\n",
                    c.call("CLIENT", "SETNAME", "a b"));
            assertEquals("+OK\r\n", c.call("CLIENT", "SETINFO", "LIB-NAME", "jedis"));
            assertEquals("+OK\r\n", c.call("CLIENT", "SETINFO", "lib-ver", "8.0.2"));
            assertEquals("-ERR Unrecognized option 'foo'\r\n", c.call("CLIENT", "SETINFO", "foo", "x"));
            assertEquals("-ERR wrong number of arguments for 'client' command\r\n", c.call("CLIENT"));
            assertEquals("-ERR wrong number of arguments for 'client|setname' command\r\n", c.call("CLIENT", "SETNAME"));
            assertEquals("-ERR unknown subcommand 'FOO'. Try CLIENT HELP.\r\n", c.call("CLIENT", "FOO"));
            // Asked first: a connection is listed once the server has accepted it, which its first reply proves.
            String otherId = other.call("CLIENT", "ID").substring(1).trim();
            String list = c.call("CLIENT", "LIST");
            assertTrue(list.contains("name=worker-1 "), list);
            assertTrue(list.contains("lib-name=jedis lib-ver=8.0.2"), list);
            assertTrue(list.contains("cmd=client"), list);
            assertTrue(list.contains("id=" + otherId + " "), list);
            assertEquals("-ERR No such client\r\n", c.call("CLIENT", "KILL", "1.2.3.4:5"));
            assertEquals(":0\r\n", c.call("CLIENT", "KILL", "ID", "999999"));
            assertEquals("-ERR syntax error\r\n", c.call("CLIENT", "KILL", "FOO", "bar"));
            assertEquals("-ERR client-id should be greater than 0\r\n", c.call("CLIENT", "KILL", "ID", "x"));
            assertEquals(":1\r\n", c.call("CLIENT", "KILL", "ID", otherId));
            assertTrue(other.closedByServer(), "the killed client is disconnected");
            assertEquals("+PONG\r\n", c.call("PING"));
        }
    }

    @Test
    void commandTableReplies() throws Exception {
        try (RawClient c = client()) {
            int expected = ServerCommand.values().length + db.commands().size();
            assertEquals(":" + expected + "\r\n", c.call("COMMAND", "COUNT"));
            assertEquals("*2\r\n$-1\r\n*10\r\n$3\r\nget\r\n:2\r\n*2\r\n+readonly\r\n+fast\r\n:1\r\n:1\r\n:1\r\n"
                    + "*3\r\n+@read\r\n+@string\r\n+@fast\r\n*0\r\n*1\r\n*6\r\n$5\r\nflags\r\n*2\r\n+RO\r\n+access\r\n"
                    + "$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n*2\r\n$5\r\nindex\r\n:1\r\n"
                    + "$9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n*6\r\n$7\r\nlastkey\r\n:0\r\n"
                    + "$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n*0\r\n",
                    c.call("COMMAND", "INFO", "nosuch", "get"), "same bytes as Redis 7.0.15 for GET");
            String all = c.call("COMMAND");
            assertTrue(all.startsWith("*" + expected + "\r\n"), all.substring(0, 20));
            String docs = c.call("COMMAND", "DOCS", "ping");
            assertEquals("*2\r\n$4\r\nping\r\n*8\r\n$7\r\nsummary\r\n$41\r\nReturns the server's liveliness response.\r\n"
                    + "$5\r\nsince\r\n$5\r\n0.1.0\r\n$5\r\ngroup\r\n$10\r\nconnection\r\n$9\r\narguments\r\n*1\r\n*4\r\n"
                    + "$4\r\nname\r\n$9\r\n[message]\r\n$4\r\ntype\r\n$6\r\nstring\r\n", docs);
            assertEquals("-ERR unknown subcommand 'FOO'. Try COMMAND HELP.\r\n", c.call("COMMAND", "FOO"));
            assertEquals("-ERR wrong number of arguments for 'command|count' command\r\n", c.call("COMMAND", "COUNT", "x"));
        }
    }

    @Test
    void configAsRedisBenchmarkAndToolsUseIt() throws Exception {
        try (RawClient c = client()) {
            assertEquals("*2\r\n$4\r\nsave\r\n$0\r\n\r\n", c.call("CONFIG", "GET", "save"));
            assertEquals("*2\r\n$10\r\nappendonly\r\n$3\r\nyes\r\n", c.call("CONFIG", "GET", "appendonly"));
            assertEquals("*2\r\n$11\r\nappendfsync\r\n$6\r\nalways\r\n", c.call("CONFIG", "GET", "appendfsync"));
            assertEquals("*0\r\n", c.call("CONFIG", "GET", "nosuch"));
            assertEquals("+OK\r\n", c.call("CONFIG", "SET", "maxmemory", "10mb"));
            assertEquals("*2\r\n$9\r\nmaxmemory\r\n$8\r\n10485760\r\n", c.call("CONFIG", "GET", "maxmemory"));
            assertEquals(10485760, db.options().maxMemoryBytes(), "applied to the database");
            assertEquals("+OK\r\n", c.call("CONFIG", "SET", "maxmemory", "0"));
            assertEquals("-ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be a memory value\r\n",
                    c.call("CONFIG", "SET", "maxmemory", "abc"));
            assertEquals("-ERR Unknown option or number of arguments for CONFIG SET - 'foo'\r\n",
                    c.call("CONFIG", "SET", "foo", "bar"));
            assertEquals("-ERR CONFIG SET failed (possibly related to argument 'appendfsync') - argument(s) must be one of the following: everysec, always, no\r\n",
                    c.call("CONFIG", "SET", "appendfsync", "foo"));
            assertEquals("-ERR CONFIG SET failed (possibly related to argument 'appendfsync') - the fsync policy is fixed when the database opens; restart with --fsync everysec\r\n",
                    c.call("CONFIG", "SET", "appendfsync", "everysec"));
            assertEquals("+OK\r\n", c.call("CONFIG", "SET", "appendfsync", "always"));
            assertEquals("-ERR CONFIG SET failed (possibly related to argument 'databases') - can't set immutable config\r\n",
                    c.call("CONFIG", "SET", "databases", "16"));
            assertEquals("+OK\r\n", c.call("CONFIG", "SET", "hash-max-listpack-entries", "256"));
            assertEquals("*2\r\n$25\r\nhash-max-listpack-entries\r\n$3\r\n256\r\n",
                    c.call("CONFIG", "GET", "hash-max-listpack-entries"));
            assertEquals("-ERR wrong number of arguments for 'config|get' command\r\n", c.call("CONFIG", "GET"));
            assertEquals("-ERR unknown subcommand 'FOO'. Try CONFIG HELP.\r\n", c.call("CONFIG", "FOO"));
            String max = c.call("CONFIG", "GET", "max*");
            assertTrue(max.startsWith("*6\r\n$9\r\nmaxmemory\r\n"), max);
            assertTrue(max.contains("$10\r\nmaxclients\r\n$5\r\n10000\r\n"), max);
        }
    }

    @Test
    void infoSectionsMergeServerAndDatabaseFields() throws Exception {
        try (RawClient c = client()) {
            c.call("SET", "info-key", "v");
            String info = c.call("INFO");
            for (String s : new String[] {"# Server\r\n", "\r\n# Clients\r\n", "# Memory\r\n", "# Persistence\r\n",
                    "# Stats\r\n", "# Keyspace\r\n", "redis_version:7.0.15\r\n", "tcp_port:" + server.port() + "\r\n",
                    "wal_durable_lsn:", "connected_clients:", "total_commands_processed:", "db0:keys=",
                    "rdb_last_bgsave_status:ok\r\n", "appendfsync:always\r\n"}) {
                assertTrue(info.contains(s), s + " in\n" + info);
            }
            String clients = c.call("INFO", "clients");
            assertTrue(clients.contains("# Clients\r\nconnected_clients:"), clients);
            assertTrue(!clients.contains("# Server"), clients);
            assertEquals("$0\r\n\r\n", c.call("INFO", "nosuch"));
            c.call("HELLO", "3");
            assertTrue(c.call("INFO", "server").startsWith("="), "RESP3 sends INFO as verbatim text");
        }
    }

    @Test
    void saveBgsaveLastsave() throws Exception {
        try (RawClient c = client()) {
            long before = snapshotsWritten(c);
            assertEquals("+OK\r\n", c.call("SAVE"));
            assertEquals(before + 1, snapshotsWritten(c));
            long lastsave = Long.parseLong(c.call("LASTSAVE").substring(1).trim());
            assertTrue(Math.abs(lastsave - System.currentTimeMillis() / 1000) < 60);
            String bg = c.call("BGSAVE");
            assertTrue(bg.equals("+Background saving started\r\n")
                    || bg.equals("-ERR Background save already in progress\r\n"), bg);
            assertEquals("-ERR syntax error\r\n", c.call("BGSAVE", "FOO"));
            assertEquals("-ERR wrong number of arguments for 'save' command\r\n", c.call("SAVE", "x"));
            assertEquals("+PONG\r\n", c.call("PING"));
        }
    }

    @Test
    void transactionsGoToTheDatabaseAndServerCommandsInsideAreRefused() throws Exception {
        try (RawClient c = client()) {
            assertEquals("+OK\r\n", c.call("MULTI"));
            assertEquals("+QUEUED\r\n", c.call("SET", "tx", "1"));
            assertEquals("*1\r\n+OK\r\n", c.call("EXEC"));
            assertEquals("+OK\r\n", c.call("MULTI"));
            assertEquals("-ERR unknown command 'FOO', with args beginning with: \r\n", c.call("FOO"));
            assertEquals("-EXECABORT Transaction discarded because of previous errors.\r\n", c.call("EXEC"));
            assertEquals("+OK\r\n", c.call("MULTI"));
            assertEquals("-ERR wrong number of arguments for 'get' command\r\n", c.call("GET"));
            assertEquals("-EXECABORT Transaction discarded because of previous errors.\r\n", c.call("EXEC"));
            assertEquals("+OK\r\n", c.call("MULTI"));
            assertEquals("-ERR Command not allowed inside a transaction\r\n", c.call("CONFIG", "GET", "save"));
            assertEquals("+OK\r\n", c.call("DISCARD"));
            assertEquals("-ERR EXEC without MULTI\r\n", c.call("EXEC"), "DISCARD cleared the error flag too");
            assertEquals("+OK\r\n", c.call("WATCH", "w"));
            try (RawClient other = client()) {
                other.call("SET", "w", "changed");
            }
            assertEquals("+OK\r\n", c.call("MULTI"));
            assertEquals("+QUEUED\r\n", c.call("GET", "w"));
            assertEquals("*-1\r\n", c.call("EXEC"), "WATCH abort is the null array");
        }
    }

    @Test
    void quitRepliesThenCloses() throws Exception {
        try (RawClient c = client()) {
            c.send(RawClient.multibulk("QUIT") + RawClient.multibulk("PING"));
            assertEquals("+OK\r\n", c.read());
            assertTrue(c.closedByServer());
        }
    }

    @Test
    void resetRestoresAFreshConnection() throws Exception {
        try (RawClient c = client()) {
            c.call("HELLO", "3", "SETNAME", "x");
            c.call("MULTI");
            assertEquals("+RESET\r\n", c.call("RESET"));
            assertEquals("$-1\r\n", c.call("CLIENT", "GETNAME"), "back to RESP2, no name");
            assertEquals("-ERR EXEC without MULTI\r\n", c.call("EXEC"));
        }
    }

    /** INFO persistence's count of snapshots the database has written. */
    private static long snapshotsWritten(RawClient c) throws Exception {
        String info = c.call("INFO", "persistence");
        int at = info.indexOf("snapshots_written:");
        assertTrue(at >= 0, info);
        return Long.parseLong(info.substring(at + "snapshots_written:".length(), info.indexOf("\r\n", at)));
    }
}
