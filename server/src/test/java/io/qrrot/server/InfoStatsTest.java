package io.qrrot.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.qrrot.recovery.DurableQrrot;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * INFO's counters exactly, each test on a fresh database and server: commandstats and errorstats after a
 * scripted sequence (the counts are those redis-server 7.0.15 prints for the same sequence), CONFIG RESETSTAT,
 * the ops rate under load, memory peaks, the replication section, RESP3's verbatim reply, LASTSAVE.
 */
class InfoStatsTest {
    @TempDir
    Path dir;
    private DurableQrrot db;
    private QrrotServer server;

    @BeforeEach
    void start() throws Exception {
        db = TestBackends.open(dir);
        server = TestBackends.start(db, TestBackends.options().withRequirePass("pw"));
    }

    @AfterEach
    void stop() {
        server.close();
        TestBackends.close(db);
    }

    private RawClient client() throws Exception {
        RawClient c = new RawClient(server.port());
        assertEquals("+OK\r\n", c.call("AUTH", "pw"));
        return c;
    }

    private static InfoText info(RawClient c, String... sections) throws Exception {
        String[] command = new String[sections.length + 1];
        command[0] = "INFO";
        System.arraycopy(sections, 0, command, 1, sections.length);
        return InfoText.ofReply(c.call(command));
    }

    @Test
    void commandstatsCountCallsRefusalsAndFailuresAsRedisDoes() throws Exception {
        try (RawClient c = new RawClient(server.port())) {
            assertEquals("-NOAUTH Authentication required.\r\n", c.call("GET", "k"));
            assertTrue(c.call("NOSUCH").startsWith("-ERR unknown command 'NOSUCH'"));
            assertTrue(c.call("AUTH", "bad").startsWith("-WRONGPASS "));
            assertEquals("+OK\r\n", c.call("AUTH", "pw"));
            assertEquals("+OK\r\n", c.call("SET", "s", "v"));
            assertTrue(c.call("LPUSH", "s", "x").startsWith("-WRONGTYPE "));
            assertEquals("-ERR wrong number of arguments for 'get' command\r\n", c.call("GET"));
            assertTrue(c.call("NOSUCH", "x").startsWith("-ERR unknown command 'NOSUCH'"));
            assertEquals("$1\r\nv\r\n", c.call("GET", "s"));
            assertEquals("+OK\r\n", c.call("MULTI"));
            assertEquals("+QUEUED\r\n", c.call("INCR", "s"));
            assertEquals("+QUEUED\r\n", c.call("SET", "t", "1"));
            assertEquals("*2\r\n-ERR value is not an integer or out of range\r\n+OK\r\n", c.call("EXEC"));
            assertEquals("+OK\r\n", c.call("MULTI"));
            assertEquals("-ERR wrong number of arguments for 'set' command\r\n", c.call("SET"));
            assertTrue(c.call("EXEC").startsWith("-EXECABORT "));

            InfoText info = info(c, "everything");
            // NOAUTH and an arity error refuse the call (rejected_calls); WRONGTYPE, WRONGPASS, an error inside
            // EXEC's reply and EXECABORT are calls that failed; an unknown command names no command and shows in
            // errorstats only.
            Map<String, String> expected = Map.of(
                    "cmdstat_auth", "calls=2,rejected_calls=0,failed_calls=1",
                    "cmdstat_get", "calls=1,rejected_calls=2,failed_calls=0",
                    "cmdstat_set", "calls=2,rejected_calls=1,failed_calls=0",
                    "cmdstat_lpush", "calls=1,rejected_calls=0,failed_calls=1",
                    "cmdstat_incr", "calls=1,rejected_calls=0,failed_calls=1",
                    "cmdstat_multi", "calls=2,rejected_calls=0,failed_calls=0",
                    "cmdstat_exec", "calls=2,rejected_calls=0,failed_calls=1");
            Map<String, String> actual = new java.util.TreeMap<>();
            info.startingWith("cmdstat_").forEach((k, v) -> actual.put(k, v.replaceAll(",usec=\\d+,usec_per_call=[0-9.]+", "")));
            assertEquals(new java.util.TreeMap<>(expected), actual);
            assertEquals(Map.of("errorstat_ERR", "count=5", "errorstat_EXECABORT", "count=1", "errorstat_NOAUTH",
                    "count=1", "errorstat_WRONGPASS", "count=1", "errorstat_WRONGTYPE", "count=1"),
                    info.startingWith("errorstat_"));
            assertEquals(9, info.number("total_error_replies"));
            assertEquals(11, info.number("total_commands_processed"), "the calls: refused and unknown ones are not");
            // A deliberate difference: INCR ran only inside EXEC, so it has a call but no time of its own (EXEC
            // has it), and its latency sits in the first bucket.
            assertEquals("calls=1,usec=0,usec_per_call=0.00,rejected_calls=0,failed_calls=1", info.get("cmdstat_incr"));
            assertEquals("p50=1.000,p99=1.000,p99.9=1.000", info.get("latency_percentiles_usec_incr"));
            assertTrue(info.part("cmdstat_exec", "usec") > 0, info.get("cmdstat_exec"));
        }
    }

    @Test
    void configResetstatZeroesTheCountersAndInfoThenShowsOnlyWhatCameAfter() throws Exception {
        try (RawClient c = client(); RawClient idle = client()) {
            for (int i = 0; i < 5; i++) {
                assertEquals("+PONG\r\n", idle.call("PING"));
            }
            assertEquals("+OK\r\n", c.call("SET", "k", "v", "PX", "1"));
            Thread.sleep(20);
            assertEquals("$-1\r\n", c.call("GET", "k"));
            assertEquals("+OK\r\n", c.call("SET", "k", "v"));
            assertEquals("$1\r\nv\r\n", c.call("GET", "k"));
            assertTrue(c.call("LPUSH", "k", "x").startsWith("-WRONGTYPE"));
            assertTrue(c.call("NOSUCH").startsWith("-ERR"));
            InfoText before = info(c, "everything");
            assertEquals(1, before.number("keyspace_hits"));
            assertEquals(1, before.number("keyspace_misses"));
            assertEquals(1, before.number("expired_keys"));
            assertEquals(2, before.number("total_error_replies"));

            assertEquals("+OK\r\n", c.call("CONFIG", "RESETSTAT"));
            String infoRequest = RawClient.multibulk("INFO", "everything");
            InfoText first = info(c, "everything");
            // Only CONFIG RESETSTAT itself, counted once it ran (Redis names it config|resetstat: qrrot counts a
            // command with subcommands under its own name). The idle client's PINGs are gone too.
            assertEquals(Map.of("cmdstat_config", "calls=1"), callsOnly(first));
            assertEquals(Map.of(), first.startingWith("errorstat_"));
            assertEquals(1, first.number("total_commands_processed"));
            assertEquals(0, first.number("total_error_replies"));
            assertEquals(0, first.number("keyspace_hits"));
            assertEquals(0, first.number("keyspace_misses"));
            assertEquals(0, first.number("expired_keys"));
            assertEquals(0, first.number("total_connections_received"));
            assertEquals(infoRequest.getBytes(StandardCharsets.ISO_8859_1).length, first.number("total_net_input_bytes"),
                    "only INFO's request was read since");
            assertEquals("+OK\r\n".length(), first.number("total_net_output_bytes"), "only RESETSTAT's +OK was written");
            assertEquals(Map.of(), first.startingWith("latency_percentiles_usec_info"));

            assertEquals("$1\r\nv\r\n", c.call("GET", "k"));
            assertEquals("+PONG\r\n", idle.call("PING"));
            InfoText second = info(c, "everything");
            assertEquals(Map.of("cmdstat_config", "calls=1", "cmdstat_info", "calls=1", "cmdstat_get", "calls=1",
                    "cmdstat_ping", "calls=1"), callsOnly(second));
            assertEquals(4, second.number("total_commands_processed"));
            assertEquals(1, second.number("keyspace_hits"));
            assertEquals(0, second.number("keyspace_misses"));
            assertEquals(0, second.number("total_error_replies"));
        }
    }

    @Test
    void aProtocolErrorIsAnErrorReplyOfKindErr() throws Exception {
        try (RawClient bad = new RawClient(server.port())) {
            assertEquals("-ERR Protocol error: invalid multibulk length\r\n", bad.send("*x\r\n").read());
            assertTrue(bad.closedByServer());
        }
        try (RawClient c = client()) {
            InfoText info = info(c, "stats", "errorstats");
            assertEquals(Map.of("errorstat_ERR", "count=1"), info.startingWith("errorstat_"));
            assertEquals(1, info.number("total_error_replies"), "counted with the others, as Redis does");
            assertEquals(1, info.number("total_error_replies_protocol"));
            assertEquals(1, info.number("total_commands_processed"), "AUTH only");
        }
    }

    /** {@code cmdstat_x -> calls=N} of each line whose rejected and failed calls are 0 (else the whole counts). */
    private static Map<String, String> callsOnly(InfoText info) {
        Map<String, String> m = new java.util.HashMap<>();
        info.startingWith("cmdstat_").forEach((k, v) -> m.put(k,
                v.replaceAll(",usec=\\d+,usec_per_call=[0-9.]+", "").replace(",rejected_calls=0,failed_calls=0", "")));
        return m;
    }

    @Test
    void opsPerSecondIsAboveZeroWhileALoadRuns() throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        Thread load = new Thread(() -> {
            try (RawClient c = client()) {
                String pings = RawClient.multibulk("PING").repeat(50);
                while (!stop.get()) {
                    c.send(pings);
                    for (int i = 0; i < 50; i++) {
                        c.read();
                    }
                }
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        }, "info-load");
        try (RawClient c = client()) {
            load.start();
            long deadline = System.nanoTime() + 20_000_000_000L;
            long ops = 0;
            while (ops == 0 && System.nanoTime() < deadline) {
                Thread.sleep(100);
                ops = info(c, "stats").number("instantaneous_ops_per_sec");
            }
            assertTrue(ops > 0, "instantaneous_ops_per_sec stayed 0 while PINGs ran");
        } finally {
            stop.set(true);
            load.join(10_000);
        }
    }

    @Test
    void usedMemoryPeakIsAtLeastUsedMemory() throws Exception {
        try (RawClient c = client()) {
            for (int i = 0; i < 200; i++) {
                assertEquals("+OK\r\n", c.call("SET", "key:" + i, "x".repeat(100)));
            }
            InfoText m = info(c, "memory");
            assertTrue(m.number("used_memory") > 0, m.text());
            assertTrue(m.number("used_memory_peak") >= m.number("used_memory"), m.text());
            assertTrue(m.number("used_memory_rss") > 0, m.text());
            assertTrue(m.get("used_memory_peak_perc").matches("\\d+\\.\\d{2}%"), m.text());
            assertTrue(m.get("mem_fragmentation_ratio").matches("\\d+\\.\\d{2}"), m.text());
        }
    }

    @Test
    void replicationIsAMasterWithoutReplicas() throws Exception {
        try (RawClient c = client()) {
            InfoText r = info(c, "replication");
            String replid = r.get("master_replid");
            assertTrue(replid.matches("[0-9a-f]{40}"), replid);
            assertEquals("# Replication\r\nrole:master\r\nconnected_slaves:0\r\nmaster_failover_state:no-failover\r\n"
                    + "master_replid:" + replid + "\r\nmaster_replid2:0000000000000000000000000000000000000000\r\n"
                    + "master_repl_offset:0\r\nsecond_repl_offset:-1\r\nrepl_backlog_active:0\r\n"
                    + "repl_backlog_size:1048576\r\nrepl_backlog_first_byte_offset:0\r\nrepl_backlog_histlen:0\r\n",
                    r.text());
            assertTrue(info(c, "server").get("run_id").matches("[0-9a-f]{40}"));
            assertEquals("# Cluster\r\ncluster_enabled:0\r\n", info(c, "cluster").text());
            assertEquals("# Modules\r\n", info(c, "modules").text(), "no module loaded: the header alone, as Redis");
        }
    }

    @Test
    void resp3SendsInfoAsAVerbatimString() throws Exception {
        try (RawClient c = client()) {
            String resp2 = c.call("INFO", "replication");
            assertTrue(c.call("HELLO", "3").startsWith("%7\r\n"));
            String resp3 = c.call("INFO", "replication");
            String text = InfoText.ofReply(resp2).text();
            int length = text.getBytes(StandardCharsets.UTF_8).length;
            assertEquals("=" + (length + 4) + "\r\ntxt:" + text + "\r\n", resp3);
            InfoText all = InfoText.ofReply(c.call("INFO"));
            assertEquals(java.util.List.of("Server", "Clients", "Memory", "Persistence", "Stats", "Replication", "CPU",
                    "Modules", "Errorstats", "Cluster", "Keyspace"), all.headers());
        }
    }

    @Test
    void rdbLastSaveTimeIsWhatLastsaveAnswers() throws Exception {
        try (RawClient c = client()) {
            long startedAround = System.currentTimeMillis() / 1000;
            String lastsave = c.call("LASTSAVE");
            long before = Long.parseLong(lastsave.substring(1).trim());
            assertTrue(Math.abs(before - startedAround) <= 60, "no save yet: the start time, as Redis: " + lastsave);
            assertEquals(before, info(c, "persistence").number("rdb_last_save_time"));
            assertEquals("+OK\r\n", c.call("SAVE"));
            long after = Long.parseLong(c.call("LASTSAVE").substring(1).trim());
            assertTrue(after >= before);
            assertEquals(after, info(c, "persistence").number("rdb_last_save_time"));
        }
    }

    /**
     * A blocking pop is a call when it starts to wait, and an error it is answered with makes it a failed call:
     * the counts redis-server 7.0.15 shows for the same sequence.
     */
    @Test
    void aBlockingPopIsCountedWhenItIsAnswered() throws Exception {
        try (RawClient blocked = client(); RawClient other = client()) {
            assertEquals("*-1\r\n", blocked.call("BLPOP", "none", "0.01"));
            assertEquals(1, info(other, "commandstats").part("cmdstat_blpop", "calls"), "timed out: one call");

            String id = blocked.call("CLIENT", "ID").substring(1).trim();
            blocked.command("BLPOP", "q", "0");
            awaitBlocked(other);
            assertEquals(2, info(other, "commandstats").part("cmdstat_blpop", "calls"), "waiting: counted already");
            assertEquals(":1\r\n", other.call("LPUSH", "q", "x"));
            assertEquals("*2\r\n$1\r\nq\r\n$1\r\nx\r\n", blocked.read());
            InfoText served = info(other, "commandstats");
            assertEquals(2, served.part("cmdstat_blpop", "calls"), "served: not counted again");
            assertEquals(0, served.part("cmdstat_blpop", "failed_calls"));

            blocked.command("BLPOP", "q", "0");
            awaitBlocked(other);
            assertEquals(":1\r\n", other.call("CLIENT", "UNBLOCK", id, "ERROR"));
            assertEquals("-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n", blocked.read());
            InfoText unblocked = info(other, "commandstats", "errorstats");
            assertEquals(3, unblocked.part("cmdstat_blpop", "calls"));
            assertEquals(1, unblocked.part("cmdstat_blpop", "failed_calls"), "the UNBLOCKED error is a failed call");
            assertEquals("count=1", unblocked.get("errorstat_UNBLOCKED"));
        }
    }

    private static void awaitBlocked(RawClient c) throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (info(c, "clients").number("blocked_clients") != 1) {
            assertTrue(System.nanoTime() < deadline, "the client never blocked");
            Thread.sleep(5);
        }
    }
}
