package io.qrrot.cli.help;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.qrrot.engine.CommandSpec;
import io.qrrot.recovery.DurableQrrot;
import io.qrrot.recovery.QrrotOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The client's own command table, before the server's COMMAND DOCS is known: the collection types' commands. */
class BuiltinCommandsTest {
    private static final Set<String> COLLECTIONS = Set.of("hash", "list", "set", "sorted-set");

    @TempDir
    Path tmp;

    /** Every hash, list, set and sorted-set command of the engine's table, with its syntax, summary and group. */
    @Test
    void collectionCommandsAreTheEnginesRows() throws Exception {
        CommandCatalog builtin = CommandCatalog.builtin();
        List<String> checked = new ArrayList<>();
        try (DurableQrrot db = DurableQrrot.open(tmp.resolve("data"), QrrotOptions.defaults())) {
            for (CommandSpec spec : db.commands()) {
                if (COLLECTIONS.contains(spec.group())) {
                    assertEquals(CommandHelp.of(spec), builtin.find(spec.name()).orElse(null), spec.name());
                    checked.add(spec.name());
                }
            }
        }
        assertTrue(checked.containsAll(List.of("LPUSH", "RPUSH", "LPOP", "LRANGE", "LINSERT", "LMOVE", "BLPOP",
                "BLMPOP", "ZADD", "ZRANGE", "BZPOPMIN", "HSET", "SADD")), checked.toString());
        for (String group : COLLECTIONS) {
            assertTrue(builtin.groups().contains(group), group);
        }
    }

    /** Completion offers the names, and {@code help @list} the group. */
    @Test
    void listAndSortedSetCommandsAreOffered() {
        CommandCatalog builtin = CommandCatalog.builtin();
        assertTrue(builtin.names().containsAll(List.of("LPUSH", "RPUSH", "LPOS", "LMPOP", "BRPOPLPUSH", "RPOPLPUSH",
                "ZADD", "ZINCRBY", "ZRANGEBYSCORE", "ZSCAN")), builtin.names().toString());
        assertEquals("key BEFORE|AFTER pivot element", builtin.find("linsert").orElseThrow().syntax());
        assertEquals(List.of("BLMOVE", "BLMPOP", "BLPOP", "BRPOP", "BRPOPLPUSH", "LINDEX", "LINSERT", "LLEN", "LMOVE",
                "LMPOP", "LPOP", "LPOS", "LPUSH", "LPUSHX", "LRANGE", "LREM", "LSET", "LTRIM", "RPOP", "RPOPLPUSH",
                "RPUSH", "RPUSHX"), builtin.inGroup("list").stream().map(CommandHelp::name).toList());
    }
}
