package io.qrrot.cli.help;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.qrrot.cli.resp.RespConfig;
import io.qrrot.cli.resp.RespConnection;
import io.qrrot.recovery.DurableQrrot;
import io.qrrot.recovery.QrrotOptions;
import io.qrrot.server.QrrotServer;
import io.qrrot.server.ServerOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The client's command list before it asks a server: the qrrot server's own command table. */
class CommandCatalogTest {
    @TempDir
    Path tmp;

    /** Exactly what a qrrot server's COMMAND DOCS describes: the same names, syntax, summaries and groups. */
    @Test
    void builtinIsWhatAServerDescribes() throws Exception {
        CommandCatalog builtin = CommandCatalog.builtin();
        List<CommandHelp> served;
        try (DurableQrrot db = DurableQrrot.open(tmp.resolve("data"), QrrotOptions.defaults());
             QrrotServer server = new QrrotServer(db, ServerOptions.defaults().withPort(0)).start();
             RespConnection c = RespConnection.open(RespConfig.of("127.0.0.1", server.port()))) {
            served = CommandDocs.parse(c.call("COMMAND", "DOCS"));
        }
        assertEquals(CommandCatalog.of(served).names(), builtin.names());
        for (CommandHelp h : served) {
            assertEquals(h, builtin.find(h.name()).orElse(null), h.name());
        }
        assertEquals(served.size(), builtin.size());
    }

    @Test
    void offersOnlyCommandsTheServerAnswers() {
        CommandCatalog builtin = CommandCatalog.builtin();
        assertFalse(builtin.find("JSON.DEL").isPresent());
        assertFalse(builtin.find("JSON.TYPE").isPresent());
        assertTrue(builtin.names().containsAll(List.of("JSON.GET", "JSON.SET", "GET", "SET", "PING", "INFO", "SHUTDOWN",
                "SNAPSHOT", "LPUSH", "ZADD", "HSET", "SADD", "MULTI", "PUBLISH")), builtin.names().toString());
        assertEquals("key BEFORE|AFTER pivot element", builtin.find("linsert").orElseThrow().syntax());
        List<String> list = new ArrayList<>();
        for (CommandHelp h : builtin.inGroup("list")) {
            list.add(h.name());
        }
        assertEquals(List.of("BLMOVE", "BLMPOP", "BLPOP", "BRPOP", "BRPOPLPUSH", "LINDEX", "LINSERT", "LLEN", "LMOVE",
                "LMPOP", "LPOP", "LPOS", "LPUSH", "LPUSHX", "LRANGE", "LREM", "LSET", "LTRIM", "RPOP", "RPOPLPUSH",
                "RPUSH", "RPUSHX"), list);
        for (String group : List.of("connection", "generic", "hash", "json", "list", "pubsub", "server", "set",
                "sorted-set", "string", "transactions")) {
            assertTrue(builtin.groups().contains(group), group + " in " + builtin.groups());
        }
    }
}
