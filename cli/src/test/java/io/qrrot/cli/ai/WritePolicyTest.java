package io.qrrot.cli.ai;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class WritePolicyTest {
    /** The allowed commands as refusals list them. */
    static final String LIST = "SET, DEL, INCR, INCRBY, DECR, DECRBY, EXPIRE, PERSIST, APPEND, JSON.SET, MSET, RENAME, "
            + "HSET, HDEL, HINCRBY, SADD, SREM, ZADD, ZREM, ZINCRBY, LPUSH, RPUSH, LPOP, RPOP, LREM";

    @Test
    void theListIsTheSchemasEnum() {
        assertEquals(LIST, String.join(", ", WritePolicy.ALLOWED));
    }

    @Test
    void hashAndSetCommandsPass() {
        for (List<String> c : List.of(
                List.of("HSET", "user:ivan", "age", "31"), List.of("hset", "user:ivan", "age", "31", "name", "Ivan"),
                List.of("HSET", "h", "", ""), List.of("HDEL", "user:ivan", "age"), List.of("HDEL", "h", "a", "b", "c"),
                List.of("HINCRBY", "user:ivan", "age", "1"), List.of("HINCRBY", "h", "n", "-5"),
                List.of("SADD", "team:ops", "ivan"), List.of("sadd", "s", "a", "b", "1"),
                List.of("SREM", "team:ops", "ivan"), List.of("SREM", "s", "a", "b"))) {
            assertNull(WritePolicy.checkOne(c), c.toString());
        }
    }

    @Test
    void malformedHashAndSetCommandsAreRefused() {
        assertEquals("HSET takes a key and field value pairs", WritePolicy.checkOne(List.of("HSET")));
        assertEquals("HSET takes a key and field value pairs", WritePolicy.checkOne(List.of("HSET", "h")));
        assertEquals("HSET takes a key and field value pairs", WritePolicy.checkOne(List.of("HSET", "h", "age")));
        assertEquals("HSET takes a key and field value pairs",
                WritePolicy.checkOne(List.of("hset", "h", "age", "31", "name")));
        assertEquals("HDEL takes a key and at least one field", WritePolicy.checkOne(List.of("HDEL", "h")));
        assertEquals("HDEL takes a key and at least one field", WritePolicy.checkOne(List.of("HDEL")));
        assertEquals("HINCRBY takes a key, a field and an integer", WritePolicy.checkOne(List.of("HINCRBY", "h", "n")));
        assertEquals("HINCRBY takes a key, a field and an integer",
                WritePolicy.checkOne(List.of("HINCRBY", "h", "n", "1", "2")));
        assertEquals("HINCRBY amount 'one' is not an integer", WritePolicy.checkOne(List.of("HINCRBY", "h", "n", "one")));
        assertEquals("HINCRBY amount '1.5' is not an integer", WritePolicy.checkOne(List.of("hincrby", "h", "n", "1.5")));
        assertEquals("SADD takes a key and at least one member", WritePolicy.checkOne(List.of("SADD", "s")));
        assertEquals("SREM takes a key and at least one member", WritePolicy.checkOne(List.of("srem", "s")));
        assertEquals("HSET has an argument longer than 65536 bytes",
                WritePolicy.checkOne(List.of("HSET", "h", "f", "x".repeat(65537))));
        assertEquals("SADD has an argument longer than 65536 bytes",
                WritePolicy.checkOne(List.of("SADD", "s", "a", "x".repeat(65537))));
        assertEquals("HSET user:ivan is not a command name: send HSET as command and the arguments in args",
                WritePolicy.checkOne(List.of("HSET user:ivan", "age", "31")));
    }

    @Test
    void sortedSetCommandsPass() {
        for (List<String> c : List.of(
                List.of("ZADD", "board", "10", "ann"), List.of("zadd", "board", "1.5", "a", "-2", "b", "+inf", "c"),
                List.of("ZADD", "board", "NX", "1e3", "a"), List.of("ZADD", "board", "xx", "gt", "ch", "-.5", "a"),
                List.of("ZADD", "board", "LT", "-inf", "a"), List.of("ZADD", "board", "INCR", "5", "a"),
                List.of("ZADD", "board", "1", "NX"), List.of("ZADD", "b", "0", ""), List.of("ZADD", "b", "-Infinity", "m"),
                List.of("ZREM", "board", "ann"), List.of("ZREM", "board", "a", "b"),
                List.of("ZINCRBY", "board", "5", "ann"), List.of("zincrby", "board", "-0.25", "ann"),
                List.of("ZINCRBY", "board", "1e-300", "ann"))) {
            assertNull(WritePolicy.checkOne(c), c.toString());
        }
    }

    @Test
    void malformedSortedSetCommandsAreRefused() {
        String usage = "ZADD takes a key, options (NX, XX, GT, LT, CH, INCR) and score member pairs";
        assertEquals(usage, WritePolicy.checkOne(List.of("ZADD", "z")));
        assertEquals(usage, WritePolicy.checkOne(List.of("ZADD", "z", "1")));
        assertEquals(usage, WritePolicy.checkOne(List.of("ZADD", "z", "1", "a", "2")));
        assertEquals(usage, WritePolicy.checkOne(List.of("ZADD", "z", "NX", "CH")));
        assertEquals("ZADD score 'ten' is not a number", WritePolicy.checkOne(List.of("ZADD", "z", "ten", "a")));
        assertEquals("ZADD score 'nan' is not a number", WritePolicy.checkOne(List.of("ZADD", "z", "nan", "a")));
        assertEquals("ZADD score '1e400' is not a number", WritePolicy.checkOne(List.of("ZADD", "z", "1e400", "a")));
        assertEquals("ZADD score '1e-400' is not a number", WritePolicy.checkOne(List.of("ZADD", "z", "1e-400", "a")));
        assertEquals("ZADD score ' 1' is not a number", WritePolicy.checkOne(List.of("ZADD", "z", " 1", "a")));
        assertEquals("ZADD score 'b' is not a number", WritePolicy.checkOne(List.of("ZADD", "z", "1", "a", "b", "2")),
                "pairs are score then member");
        assertEquals("ZADD takes only one of NX and XX", WritePolicy.checkOne(List.of("ZADD", "z", "NX", "XX", "1", "a")));
        assertEquals("ZADD takes only one of GT and LT, and neither with NX",
                WritePolicy.checkOne(List.of("ZADD", "z", "GT", "LT", "1", "a")));
        assertEquals("ZADD takes only one of GT and LT, and neither with NX",
                WritePolicy.checkOne(List.of("ZADD", "z", "NX", "GT", "1", "a")));
        assertEquals("ZADD INCR takes a single score member pair",
                WritePolicy.checkOne(List.of("ZADD", "z", "INCR", "1", "a", "2", "b")));
        assertEquals("ZREM takes a key and at least one member", WritePolicy.checkOne(List.of("ZREM", "z")));
        assertEquals("ZINCRBY takes a key, an increment and a member", WritePolicy.checkOne(List.of("ZINCRBY", "z", "1")));
        assertEquals("ZINCRBY takes a key, an increment and a member",
                WritePolicy.checkOne(List.of("ZINCRBY", "z", "1", "a", "b")));
        assertEquals("ZINCRBY increment 'lots' is not a number",
                WritePolicy.checkOne(List.of("ZINCRBY", "z", "lots", "a")));
        assertEquals("ZADD has an argument longer than 65536 bytes",
                WritePolicy.checkOne(List.of("ZADD", "z", "1", "x".repeat(65537))));
    }

    @Test
    void listCommandsPass() {
        for (List<String> c : List.of(
                List.of("LPUSH", "queue", "a"), List.of("lpush", "queue", "a", "b", ""), List.of("RPUSH", "q", "x y"),
                List.of("rpush", "q", "1", "2", "3"), List.of("LPOP", "q"), List.of("LPOP", "q", "0"),
                List.of("lpop", "q", "3"), List.of("RPOP", "q"), List.of("RPOP", "q", "9223372036854775807"),
                List.of("LREM", "q", "0", "a"), List.of("LREM", "q", "-2", "a"), List.of("lrem", "q", "5", ""))) {
            assertNull(WritePolicy.checkOne(c), c.toString());
        }
    }

    @Test
    void malformedListCommandsAreRefused() {
        assertEquals("LPUSH takes a key and at least one element", WritePolicy.checkOne(List.of("LPUSH", "q")));
        assertEquals("RPUSH takes a key and at least one element", WritePolicy.checkOne(List.of("rpush", "q")));
        assertEquals("LPOP takes a key and optionally a count", WritePolicy.checkOne(List.of("LPOP")));
        assertEquals("RPOP takes a key and optionally a count", WritePolicy.checkOne(List.of("RPOP", "q", "1", "2")));
        // Redis refuses these counts when the command runs, inside the transaction.
        for (String count : List.of("-1", "two", "1.5", "+1", "01", "", " 1", "9223372036854775808")) {
            assertEquals("LPOP count '" + count + "' is not an integer of at least 0",
                    WritePolicy.checkOne(List.of("LPOP", "q", count)), count);
        }
        assertEquals("RPOP count '-5' is not an integer of at least 0", WritePolicy.checkOne(List.of("RPOP", "q", "-5")));
        assertEquals("LREM takes a key, a count and an element", WritePolicy.checkOne(List.of("LREM", "q", "1")));
        assertEquals("LREM takes a key, a count and an element",
                WritePolicy.checkOne(List.of("LREM", "q", "1", "a", "b")));
        assertEquals("LREM count 'all' is not an integer", WritePolicy.checkOne(List.of("LREM", "q", "all", "a")));
        assertEquals("LREM count '+1' is not an integer", WritePolicy.checkOne(List.of("LREM", "q", "+1", "a")));
        assertEquals("LREM count '-0' is not an integer", WritePolicy.checkOne(List.of("LREM", "q", "-0", "a")));
        assertEquals("RPUSH has an argument longer than 65536 bytes",
                WritePolicy.checkOne(List.of("RPUSH", "q", "x".repeat(65537))));
    }

    @Test
    void otherCollectionCommandsAreNotAllowed() {
        // Reads are never proposals; bulk, moving, positional and blocking writes stay out.
        for (String name : List.of("HGET", "HGETALL", "HSETNX", "HMSET", "HINCRBYFLOAT", "SMEMBERS", "SPOP", "SMOVE",
                "SINTERSTORE", "SUNIONSTORE", "SDIFFSTORE", "ZRANGE", "ZSCORE", "ZPOPMIN",
                "ZPOPMAX", "ZREMRANGEBYRANK", "ZREMRANGEBYSCORE", "ZUNIONSTORE", "ZINTERSTORE", "ZRANGESTORE",
                "LRANGE", "LINDEX", "LLEN", "LPUSHX", "RPUSHX", "LSET", "LINSERT", "LTRIM", "LMOVE", "RPOPLPUSH",
                "LMPOP", "BLPOP", "BRPOP", "BLMOVE", "BRPOPLPUSH", "BLMPOP")) {
            assertEquals(name + " is not allowed; the agent may only propose " + LIST,
                    WritePolicy.checkOne(List.of(name, "k", "a", "1")), name);
        }
    }

    @Test
    void aWholeProposalWithHashAndSetCommands() {
        assertEquals(List.of(), WritePolicy.check(List.of(List.of("HSET", "user:ivan", "age", "31"),
                List.of("SADD", "team:ops", "ivan"), List.of("SREM", "team:dev", "ivan"))));
        assertEquals(List.of("command 1: HSET takes a key and field value pairs",
                        "command 3: SREM takes a key and at least one member"),
                WritePolicy.check(List.of(List.of("HSET", "user:ivan", "age"), List.of("SADD", "team:ops", "ivan"),
                        List.of("SREM", "team:dev"))));
    }

    @Test
    void dataCommandsPass() {
        for (List<String> c : List.of(
                List.of("SET", "k", "v"), List.of("SET", "k", "v", "NX", "EX", "10"), List.of("SET", "k", "v", "xx", "keepttl", "get"),
                List.of("DEL", "a", "b"), List.of("INCR", "n"), List.of("INCRBY", "n", "-5"), List.of("DECR", "n"),
                List.of("DECRBY", "n", "2"), List.of("EXPIRE", "k", "60"), List.of("EXPIRE", "k", "60", "GT"),
                List.of("PERSIST", "k"), List.of("APPEND", "k", "x"), List.of("JSON.SET", "k", "$", "{\"a\":[1,2]}"),
                List.of("JSON.SET", "k", "$.a", "3", "XX"), List.of("MSET", "a", "1", "b", "2"), List.of("RENAME", "a", "b"))) {
            assertNull(WritePolicy.checkOne(c), c.toString());
        }
    }

    @Test
    void adminAndUnknownCommandsAreRefused() {
        assertEquals("FLUSHALL is an administrative command and is never run by the agent",
                WritePolicy.checkOne(List.of("FLUSHALL")));
        assertEquals("FLUSHDB is an administrative command and is never run by the agent",
                WritePolicy.checkOne(List.of("flushdb", "ASYNC")));
        assertEquals("CONFIG is an administrative command and is never run by the agent",
                WritePolicy.checkOne(List.of("CONFIG", "SET", "requirepass", "x")));
        assertEquals("SHUTDOWN is an administrative command and is never run by the agent",
                WritePolicy.checkOne(List.of("SHUTDOWN", "NOSAVE")));
        assertEquals("UNLINK is not allowed; the agent may only propose " + LIST, WritePolicy.checkOne(List.of("UNLINK", "k")));
    }

    @Test
    void refusalsShowArgumentsAsGiven() {
        assertEquals("DEL ivan is not a command name: send DEL as command and the arguments in args",
                WritePolicy.checkOne(List.of("DEL ivan")));
        assertEquals("DEL Ivan  User:1 is not a command name: send DEL as command and the arguments in args",
                WritePolicy.checkOne(List.of(" del Ivan  User:1 ")));
        assertEquals("UNLINK User:Ivan is not allowed; the agent may only propose " + LIST,
                WritePolicy.checkOne(List.of("unlink User:Ivan")));
        assertEquals("FLUSHALL is an administrative command and is never run by the agent",
                WritePolicy.checkOne(List.of("flushall Async")));
        assertNull(WritePolicy.checkOne(List.of("del", "Ivan")));
        assertEquals("SET option 'Forever' is unknown (NX, XX, GET, EX, PX, EXAT, PXAT, KEEPTTL)",
                WritePolicy.checkOne(List.of("Set", "Greeting", "Hello", "Forever")));
    }

    @Test
    void malformedCommandsAreRefused() {
        assertEquals("SET takes a key, a value and options", WritePolicy.checkOne(List.of("SET", "k")));
        assertEquals("SET option 'FOREVER' is unknown (NX, XX, GET, EX, PX, EXAT, PXAT, KEEPTTL)",
                WritePolicy.checkOne(List.of("SET", "k", "v", "FOREVER")));
        assertEquals("SET EX needs a positive integer", WritePolicy.checkOne(List.of("SET", "k", "v", "EX", "-1")));
        assertEquals("SET takes only one of NX and XX", WritePolicy.checkOne(List.of("SET", "k", "v", "NX", "XX")));
        assertEquals("SET takes only one expiration option", WritePolicy.checkOne(List.of("SET", "k", "v", "EX", "1", "KEEPTTL")));
        assertEquals("DEL needs at least one key", WritePolicy.checkOne(List.of("DEL")));
        assertEquals("INCRBY amount 'lots' is not an integer", WritePolicy.checkOne(List.of("INCRBY", "n", "lots")));
        assertEquals("MSET takes key value pairs", WritePolicy.checkOne(List.of("MSET", "a", "1", "b")));
        assertEquals("JSON.SET value is not valid JSON: Unrecognized token 'nope': was expecting (JSON String, Number, "
                        + "Array, Object or token 'null', 'true' or 'false')",
                WritePolicy.checkOne(List.of("JSON.SET", "k", "$", "nope")));
        assertEquals("EXPIRE option 'SOON' is unknown (NX, XX, GT, LT)", WritePolicy.checkOne(List.of("EXPIRE", "k", "1", "SOON")));
        assertEquals("RENAME takes a key and a new name", WritePolicy.checkOne(List.of("RENAME", "a")));
        assertEquals("SET has an argument longer than 65536 bytes",
                WritePolicy.checkOne(List.of("SET", "k", "x".repeat(65537))));
    }

    @Test
    void wholeProposals() {
        assertEquals(List.of("the proposal holds no command"), WritePolicy.check(List.of()));
        assertEquals(List.of("command 2: FLUSHALL is an administrative command and is never run by the agent"),
                WritePolicy.check(List.of(List.of("DEL", "a"), List.of("FLUSHALL"))));
        List<List<String>> many = new ArrayList<>();
        for (int i = 0; i < 51; i++) {
            many.add(List.of("DEL", "k" + i));
        }
        assertEquals(List.of("the proposal holds 51 commands; at most 50 can be reviewed at once"), WritePolicy.check(many));
    }
}
