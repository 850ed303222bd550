package io.qrrot.cli.resp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.qrrot.cli.testing.CliRun;
import io.qrrot.cli.testing.RedisServer;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The RESP client against real redis-servers: handshakes, AUTH, pipelining, timeouts, failures. */
@Tag("integration")
class RespConnectionTest {

    private static List<byte[]> cmd(String... args) {
        List<byte[]> out = new ArrayList<>();
        for (String a : args) {
            out.add(a.getBytes(StandardCharsets.UTF_8));
        }
        return out;
    }

    @Test
    void resp2AndResp3() throws Exception {
        try (RedisServer redis = RedisServer.start()) {
            redis.call("HSET", "h", "f", "v");
            try (RespConnection c2 = RespConnection.open(redis.config())) {
                assertEquals(2, c2.protocol());
                assertEquals(new Reply.ArrayReply(List.of(new Reply.BulkString("f".getBytes(StandardCharsets.UTF_8)),
                        new Reply.BulkString("v".getBytes(StandardCharsets.UTF_8)))), c2.call("HGETALL", "h"));
            }
            try (RespConnection c3 = RespConnection.open(redis.config().withResp3(true))) {
                assertEquals(3, c3.protocol());
                assertEquals(new Reply.MapReply(List.of(new Reply.Entry(new Reply.BulkString("f".getBytes(StandardCharsets.UTF_8)),
                        new Reply.BulkString("v".getBytes(StandardCharsets.UTF_8))))), c3.call("HGETALL", "h"));
                assertEquals(Reply.NULL, c3.call("GET", "missing"));
            }
        }
    }

    @Test
    void pipelineKeepsOrder() throws Exception {
        try (RedisServer redis = RedisServer.start(); RespConnection c = redis.connect()) {
            List<List<byte[]>> batch = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                batch.add(cmd("INCR", "n"));
            }
            batch.add(cmd("NOSUCH"));
            batch.add(cmd("GET", "n"));
            List<Reply> replies = c.pipeline(batch);
            assertEquals(1002, replies.size());
            for (int i = 0; i < 1000; i++) {
                assertEquals(new Reply.IntegerReply(i + 1), replies.get(i));
            }
            assertEquals(new Reply.ErrorReply("ERR unknown command 'NOSUCH', with args beginning with: "), replies.get(1000));
            assertEquals(new Reply.BulkString("1000".getBytes(StandardCharsets.US_ASCII)), replies.get(1001));
        }
    }

    @Test
    void authWithPasswordAndUser() throws Exception {
        try (RedisServer redis = RedisServer.start("--requirepass", "s3cret")) {
            try (RespConnection c = RespConnection.open(redis.config().withPassword("s3cret"))) {
                assertEquals(new Reply.SimpleString("PONG"), c.call("PING"));
            }
            try (RespConnection c = RespConnection.open(redis.config().withPassword("s3cret").withResp3(true))) {
                assertEquals(3, c.protocol());
                assertEquals(new Reply.SimpleString("PONG"), c.call("PING"));
            }
            try (RespConnection c = RespConnection.open(redis.config().withUser("default").withPassword("s3cret"))) {
                assertEquals(new Reply.SimpleString("PONG"), c.call("PING"));
            }
            assertEquals("AUTH failed: WRONGPASS invalid username-password pair or user is disabled.",
                    assertThrows(RespException.class, () -> RespConnection.open(redis.config().withPassword("nope"))).getMessage());
            assertEquals("AUTH failed: WRONGPASS invalid username-password pair or user is disabled.",
                    assertThrows(RespException.class,
                            () -> RespConnection.open(redis.config().withPassword("nope").withResp3(true))).getMessage());
            try (RespConnection c = RespConnection.open(redis.config())) {
                assertEquals(new Reply.ErrorReply("NOAUTH Authentication required."), c.call("GET", "k"));
            }
            // Through the command line: -a, and QRROT_AUTH from the environment.
            String port = Integer.toString(redis.port());
            assertEquals(new CliRun.Result(0, "PONG\n", ""), new CliRun().run("cli", "-p", port, "-a", "s3cret", "PING"));
            assertEquals(new CliRun.Result(0, "PONG\n", ""),
                    new CliRun().env("QRROT_AUTH", "s3cret").run("cli", "-p", port, "PING"));
            assertEquals(new CliRun.Result(1, "", "AUTH failed: WRONGPASS invalid username-password pair or user is disabled.\n"),
                    new CliRun().run("cli", "-p", port, "-a", "bad", "PING"));
        }
    }

    @Test
    void fallsBackToResp2WhenHelloIsRefused() throws Exception {
        try (RedisServer redis = RedisServer.start("--rename-command", "HELLO", "", "--requirepass", "pw");
             RespConnection c = RespConnection.open(redis.config().withResp3(true).withPassword("pw"))) {
            assertEquals(2, c.protocol());
            assertEquals(new Reply.SimpleString("PONG"), c.call("PING"));
        }
    }

    @Test
    void timeoutClosesTheConnectionWithAClearMessage() throws Exception {
        try (RedisServer redis = RedisServer.start("--enable-debug-command", "yes");
             RespConnection c = RespConnection.open(redis.config().withReadTimeoutMillis(200))) {
            RespException e = assertThrows(RespException.class, () -> c.call("DEBUG", "SLEEP", "2"));
            assertEquals("timed out after 200 ms waiting for a reply from 127.0.0.1:" + redis.port(), e.getMessage());
            assertFalse(c.isOpen());
            assertEquals("not connected to 127.0.0.1:" + redis.port(),
                    assertThrows(RespException.class, () -> c.call("PING")).getMessage());
        }
    }

    @Test
    void connectionRefused() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        int p = port;
        assertEquals("could not connect to 127.0.0.1:" + p + ": Connection refused",
                assertThrows(RespException.class, () -> RespConnection.open(RespConfig.of("127.0.0.1", p))).getMessage());
        assertEquals("could not connect to no-such-host.invalid:6379: unknown host",
                assertThrows(RespException.class,
                        () -> RespConnection.open(RespConfig.of("no-such-host.invalid", 6379))).getMessage());
        assertEquals("[::1]:6379", RespConfig.of("::1", 6379).address());
    }

    @Test
    void aServerThatIsNotRespIsReported() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            Thread t = new Thread(() -> {
                try (var sock = s.accept()) {
                    sock.getOutputStream().write("HTTP/1.1 400 Bad Request\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    sock.getOutputStream().flush();
                    sock.getInputStream().read();
                } catch (Exception ignored) {
                    // the client closed first
                }
            });
            t.start();
            try (RespConnection c = RespConnection.open(RespConfig.of("127.0.0.1", s.getLocalPort()))) {
                assertEquals("protocol error: unexpected reply type byte 0x48 ('H'); is this a RESP server? (from 127.0.0.1:"
                        + s.getLocalPort() + ")", assertThrows(RespException.class, () -> c.call("PING")).getMessage());
            }
            t.join(5000);
        }
    }
}
