package io.qrrot.cli.help;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.qrrot.cli.resp.Reply;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CommandDocsTest {

    private static Reply s(String v) {
        return new Reply.BulkString(v.getBytes(StandardCharsets.UTF_8));
    }

    private static Reply map(Object... kv) {
        List<Reply.Entry> e = new ArrayList<>();
        for (int i = 0; i < kv.length; i += 2) {
            Object v = kv[i + 1];
            e.add(new Reply.Entry(s((String) kv[i]), v instanceof Reply r ? r : s((String) v)));
        }
        return new Reply.MapReply(e);
    }

    private static Reply arr(Reply... r) {
        return new Reply.ArrayReply(List.of(r));
    }

    @Test
    void rendersArgumentTreesAsSyntax() {
        Reply set = map("summary", "Set the string value of a key", "group", "string", "arguments", arr(
                map("name", "key", "type", "key"),
                map("name", "value", "type", "string"),
                map("name", "condition", "type", "oneof", "flags", arr(new Reply.SimpleString("optional")), "arguments", arr(
                        map("name", "nx", "type", "pure-token", "token", "NX"),
                        map("name", "xx", "type", "pure-token", "token", "XX"))),
                map("name", "expiration", "type", "oneof", "flags", arr(s("optional")), "arguments", arr(
                        map("name", "seconds", "type", "integer", "token", "EX"),
                        map("name", "keepttl", "type", "pure-token", "token", "KEEPTTL")))));
        Reply del = map("summary", "Delete a key", "group", "generic", "arguments", arr(
                map("name", "key", "type", "key", "flags", arr(s("multiple")))));
        Reply mset = map("summary", "Set multiple keys", "group", "string", "arguments", arr(
                map("name", "data", "type", "block", "flags", arr(s("multiple")), "arguments", arr(
                        map("name", "key", "type", "key"), map("name", "value", "type", "string")))));
        Reply config = map("summary", "A container", "group", "server", "subcommands", map(
                "config|get", map("summary", "Get parameters", "group", "server", "arguments", arr(
                        map("name", "parameter", "type", "string", "flags", arr(s("multiple")))))));
        List<CommandHelp> docs = CommandDocs.parse(map("set", set, "del", del, "mset", mset, "config", config));
        assertEquals(List.of(
                new CommandHelp("SET", "key value [NX|XX] [EX seconds|KEEPTTL]", "Set the string value of a key", "string"),
                new CommandHelp("DEL", "key [key ...]", "Delete a key", "generic"),
                new CommandHelp("MSET", "key value [key value ...]", "Set multiple keys", "string"),
                new CommandHelp("CONFIG GET", "parameter [parameter ...]", "Get parameters", "server"),
                new CommandHelp("CONFIG", "", "A container", "server")), docs);
    }

    @Test
    void errorRepliesGiveNothing() {
        assertTrue(CommandDocs.parse(new Reply.ErrorReply("ERR unknown subcommand 'DOCS'")).isEmpty());
    }
}
