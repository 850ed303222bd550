package io.qrrot.cli.client;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.qrrot.cli.testing.CliRun;
import io.qrrot.cli.testing.RedisServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** {@code qrrot cli COMMAND…} against a real redis-server, compared with redis-cli where it applies. */
@Tag("integration")
class OneShotTest {
    static RedisServer redis;

    @BeforeAll
    static void start() throws Exception {
        redis = RedisServer.start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (redis != null) {
            redis.close();
        }
    }

    @BeforeEach
    void data() throws Exception {
        redis.call("FLUSHALL");
        redis.call("RPUSH", "l", "a", "b\nc", "");
        redis.call("HSET", "h", "f", "v");
        redis.call("SET", "n", "41");
    }

    private CliRun.Result qrrot(String... args) {
        List<String> a = new ArrayList<>(List.of("cli", "-p", Integer.toString(redis.port())));
        a.addAll(List.of(args));
        return new CliRun().run(a.toArray(String[]::new));
    }

    private String redisCli(String... args) throws Exception {
        Path bin = RedisServer.binary("redis-cli");
        Assumptions.assumeTrue(bin != null, "redis-cli is not installed (apt-get install redis-tools)");
        List<String> cmd = new ArrayList<>(List.of(bin.toString(), "-p", Integer.toString(redis.port())));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return out;
    }

    @Test
    void resultOnStdoutAndExitStatus() {
        CliRun.Result ok = qrrot("INCR", "n");
        assertEquals(new CliRun.Result(0, "(integer) 42\n", ""), ok);
        CliRun.Result err = qrrot("INCR", "l");
        assertEquals(new CliRun.Result(1, "(error) WRONGTYPE Operation against a key holding the wrong kind of value\n", ""), err);
        assertEquals(new CliRun.Result(0, "OK\n", ""), qrrot("SET", "neg", "-1"));
        assertEquals(new CliRun.Result(0, "\"-1\"\n", ""), qrrot("GET", "neg"));
    }

    @Test
    void standardAndRawMatchRedisCli() throws Exception {
        for (String[] cmd : List.of(new String[] {"LRANGE", "l", "0", "-1"}, new String[] {"HGETALL", "h"},
                new String[] {"GET", "nope"}, new String[] {"GET", "n"}, new String[] {"EXISTS", "n", "h"},
                new String[] {"LRANGE", "nope", "0", "-1"}, new String[] {"EVAL", "return {1,{2,'x'},'y'}", "0"})) {
            List<String> std = new ArrayList<>(List.of("--no-raw"));
            std.addAll(List.of(cmd));
            assertEquals(redisCli(std.toArray(String[]::new)), qrrot(cmd).out(), String.join(" ", cmd));
            List<String> raw = new ArrayList<>(List.of("--raw"));
            raw.addAll(List.of(cmd));
            assertEquals(redisCli(raw.toArray(String[]::new)), qrrot(raw.toArray(String[]::new)).out(),
                    "--raw " + String.join(" ", cmd));
            List<String> resp3 = new ArrayList<>(List.of("-3"));
            resp3.addAll(List.of(cmd));
            List<String> resp3Cli = new ArrayList<>(List.of("-3", "--no-raw"));
            resp3Cli.addAll(List.of(cmd));
            assertEquals(redisCli(resp3Cli.toArray(String[]::new)), qrrot(resp3.toArray(String[]::new)).out(),
                    "-3 " + String.join(" ", cmd));
        }
    }

    @Test
    void jsonOutputParses() throws Exception {
        ObjectMapper m = new ObjectMapper();
        assertEquals(m.readTree("[\"a\",\"b\\nc\",\"\"]"), m.readTree(qrrot("--json", "LRANGE", "l", "0", "-1").out()));
        assertEquals(m.readTree("{\"f\":\"v\"}"), m.readTree(qrrot("--json", "HGETALL", "h").out()));
        CliRun.Result err = qrrot("--json", "INCR", "l");
        assertEquals(1, err.exit());
        assertEquals("WRONGTYPE Operation against a key holding the wrong kind of value",
                m.readTree(err.out()).get("error").asText());
    }

    @Test
    void argumentsLookingLikeOptionsBelongToTheCommand() {
        assertEquals(new CliRun.Result(0, "\"--raw\"\n", ""), qrrot("ECHO", "--raw"));
        assertEquals(new CliRun.Result(0, "\"-p\"\n", ""), qrrot("ECHO", "-p"));
    }
}
