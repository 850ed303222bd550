package io.qrrot.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.LettuceFutures;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.protocol.ProtocolVersion;
import io.qrrot.recovery.Qrrot;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.RedisProtocol;
import redis.clients.jedis.Response;
import redis.clients.jedis.Transaction;

/**
 * Real clients against a running server: Jedis and Lettuce in RESP2 and RESP3 (handshakes, pipelining,
 * AUTH, HELLO, CLIENT, COMMAND, CONFIG GET as redis-benchmark sends it, transactions) and redis-cli
 * (one-shot, stdin, interactive with COMMAND DOCS help). The database is {@link TestBackends#open}.
 */
@Tag("integration")
class RealClientsTest {
    private static final String PASSWORD = "pw-for-tests";
    @TempDir
    static Path dir;
    private static Qrrot db;
    private static QrrotServer open;
    private static QrrotServer secured;

    @BeforeAll
    static void start() throws Exception {
        db = TestBackends.open(dir);
        open = TestBackends.start(db, TestBackends.options());
        secured = TestBackends.start(db, TestBackends.options().withRequirePass(PASSWORD));
    }

    @AfterAll
    static void stop() throws Exception {
        open.close();
        secured.close();
        db.close();
    }

    private static DefaultJedisClientConfig.Builder jedisConfig(RedisProtocol protocol) {
        return DefaultJedisClientConfig.builder().protocol(protocol).timeoutMillis(10_000);
    }

    @Test
    void jedisResp2AndResp3() {
        for (RedisProtocol p : new RedisProtocol[] {RedisProtocol.RESP2, RedisProtocol.RESP3}) {
            try (Jedis j = new Jedis(new HostAndPort("127.0.0.1", open.port()), jedisConfig(p).clientName("jedis-" + p).build())) {
                String k = "jedis:" + p;
                assertEquals("OK", j.set(k, "v1"));
                assertEquals("v1", j.get(k));
                assertNull(j.get(k + ":missing"));
                assertEquals(1, j.incr(k + ":n"));
                assertEquals("PONG", j.ping());
                assertEquals("jedis-" + p, j.clientGetname());
                assertTrue(j.clientList().contains("name=jedis-" + p), j.clientList());
                assertTrue(j.clientId() > 0);
                assertEquals(Map.of("save", ""), j.configGet("save"));
                assertEquals(Map.of("appendonly", "yes"), j.configGet("appendonly"));
                assertTrue(j.commandCount() >= ServerCommand.values().length);
                assertTrue(j.info("server").contains("redis_version:7.0.15"));

                Pipeline pipe = j.pipelined();
                List<Response<String>> gets = new ArrayList<>();
                for (int i = 0; i < 200; i++) {
                    pipe.set(k + ":" + i, "v" + i);
                    gets.add(pipe.get(k + ":" + i));
                }
                pipe.sync();
                for (int i = 0; i < 200; i++) {
                    assertEquals("v" + i, gets.get(i).get(), "pipelined reply " + i + " in order");
                }

                Transaction tx = j.multi();
                tx.set(k + ":tx", "a");
                tx.incr(k + ":txn");
                List<Object> results = tx.exec();
                assertEquals(2, results.size());
                assertEquals("OK", results.get(0));
                assertEquals(1L, results.get(1));
            }
        }
    }

    @Test
    void jedisAuthenticates() {
        try (Jedis j = new Jedis(new HostAndPort("127.0.0.1", secured.port()),
                jedisConfig(RedisProtocol.RESP3).password(PASSWORD).build())) {
            assertEquals("PONG", j.ping());
        }
        // Without a protocol set Jedis sends no HELLO, so it can connect first and AUTH later.
        try (Jedis j = new Jedis(new HostAndPort("127.0.0.1", secured.port()),
                DefaultJedisClientConfig.builder().timeoutMillis(10_000).build())) {
            try {
                j.ping();
                throw new AssertionError("PING without AUTH must fail");
            } catch (redis.clients.jedis.exceptions.JedisDataException e) {
                assertEquals("NOAUTH Authentication required.", e.getMessage());
            }
            assertEquals("OK", j.auth(PASSWORD));
            assertEquals("PONG", j.ping());
        }
    }

    @Test
    void lettuceResp2AndResp3WithPipelining() throws Exception {
        for (ProtocolVersion v : new ProtocolVersion[] {ProtocolVersion.RESP2, ProtocolVersion.RESP3}) {
            for (QrrotServer s : new QrrotServer[] {open, secured}) {
                RedisURI.Builder uri = RedisURI.builder().withHost("127.0.0.1").withPort(s.port())
                        .withTimeout(Duration.ofSeconds(10)).withClientName("lettuce-" + v);
                if (s == secured) {
                    uri.withPassword(PASSWORD.toCharArray());
                }
                RedisClient client = RedisClient.create(uri.build());
                client.setOptions(ClientOptions.builder().protocolVersion(v).build());
                try (StatefulRedisConnection<String, String> c = client.connect()) {
                    RedisCommands<String, String> sync = c.sync();
                    String k = "lettuce:" + v + ":" + s.port();
                    assertEquals("OK", sync.set(k, "x"));
                    assertEquals("x", sync.get(k));
                    assertEquals("lettuce-" + v, sync.clientGetname());
                    assertEquals("PONG", sync.ping());
                    assertTrue(sync.info("clients").contains("connected_clients:"));
                    assertEquals(Map.of("save", ""), sync.configGet("save"));

                    RedisAsyncCommands<String, String> async = c.async();
                    c.setAutoFlushCommands(false);
                    List<RedisFuture<?>> futures = new ArrayList<>();
                    for (int i = 0; i < 500; i++) {
                        futures.add(async.set(k + ":" + i, Integer.toString(i)));
                        futures.add(async.incr(k + ":counter"));
                    }
                    c.flushCommands();
                    assertTrue(LettuceFutures.awaitAll(20, TimeUnit.SECONDS, futures.toArray(new RedisFuture[0])));
                    for (int i = 0; i < 500; i++) {
                        assertEquals((long) (i + 1), futures.get(2 * i + 1).get(), "INCR replies in order");
                    }
                    c.setAutoFlushCommands(true);
                    assertEquals("499", sync.get(k + ":499"));
                } finally {
                    client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
                }
            }
        }
    }

    @Test
    void redisCliOneShotAndStdin() throws Exception {
        String port = Integer.toString(open.port());
        assertEquals("OK\n", run(null, "redis-cli", "-p", port, "SET", "cli:k", "hello world"));
        assertEquals("hello world\n", run(null, "redis-cli", "-p", port, "GET", "cli:k"));
        assertEquals("\"hello world\"\n", run(null, "redis-cli", "--no-raw", "-p", port, "GET", "cli:k"));
        assertEquals("OK\n(integer) 1\n(nil)\n", run("SET cli:a \"x y\"\nEXISTS cli:a\nGET cli:none\n", "redis-cli", "--no-raw", "-p", port));
        String hello = run(null, "redis-cli", "-3", "-p", port, "HELLO", "3");
        assertTrue(hello.contains("server\nqrrot\n") || hello.contains("server qrrot"), hello);
        assertEquals("(error) NOAUTH Authentication required.\n",
                run(null, "redis-cli", "--no-raw", "-p", Integer.toString(secured.port()), "PING"));
        assertEquals("PONG\n", run(null, "redis-cli", "-p", Integer.toString(secured.port()), "--no-auth-warning",
                "-a", PASSWORD, "PING"));
    }

    @Test
    void redisCliInteractiveHelpUsesCommandDocs() throws Exception {
        assertTrue(Files.isExecutable(Path.of("/usr/bin/script")), "util-linux 'script' gives redis-cli a terminal");
        String out = run("help GET\nPING\nquit\n", "env", "TERM=dumb", "script", "-qc",
                "redis-cli -p " + open.port(), "/dev/null");
        assertTrue(out.contains("summary:\u001b[0m Returns the value of a key (an int as its text, JSON as its compact text)."), out);
        assertTrue(out.contains("PONG"), out);
    }

    @Test
    void inlineCommandsOverAPlainSocket() throws Exception {
        try (RawClient c = new RawClient(open.port())) {
            c.send("SET inline:k \"a\\tb\"\r\nGET inline:k\r\n");
            assertEquals("+OK\r\n", c.read());
            assertEquals("$3\r\na\tb\r\n", c.read());
        }
    }

    static String run(String stdin, String... command) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        Process p = pb.start();
        if (stdin != null) {
            p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("timed out: " + String.join(" ", command));
        }
        return out.replace("\r", "");
    }
}
