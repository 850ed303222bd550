package io.qrrot.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CommandTableTest {
    @Test
    void everyRowIsConsistentAndFoundByName() {
        CommandTable t = new CommandTable();
        List<CommandSpec> specs = t.specs();
        Set<String> names = new HashSet<>();
        for (CommandSpec s : specs) {
            assertTrue(names.add(s.name()), "duplicate " + s.name());
            assertEquals(s.name().toUpperCase(Locale.ROOT), s.name());
            assertFalse(s.is(CommandSpec.Flag.WRITE) && s.is(CommandSpec.Flag.READONLY), s.name());
            assertFalse(s.summary().isEmpty(), s.name());
            assertTrue(s.firstKey() >= 0 && (s.firstKey() == 0 || s.keyStep() >= 1), s.name());
            assertNotNull(t.lookup(s.name()), s.name());
            assertNotNull(t.lookup(s.name().toLowerCase(Locale.ROOT)), s.name());
            assertEquals(s, t.lookup(s.name()).spec);
        }
        assertNull(t.lookup("GETT"));
        assertNull(t.lookup("GE"));
        for (String required : new String[] {"GET", "SET", "SETNX", "SETEX", "PSETEX", "GETSET", "GETDEL", "GETEX", "MGET",
            "MSET", "MSETNX", "APPEND", "STRLEN", "GETRANGE", "SETRANGE", "INCR", "INCRBY", "DECR", "DECRBY", "INCRBYFLOAT",
            "DEL", "UNLINK", "EXISTS", "TYPE", "RENAME", "RENAMENX", "KEYS", "SCAN", "RANDOMKEY", "DBSIZE", "FLUSHALL",
            "FLUSHDB", "EXPIRE", "PEXPIRE", "EXPIREAT", "PEXPIREAT", "TTL", "PTTL", "EXPIRETIME", "PEXPIRETIME", "PERSIST",
            "MULTI", "EXEC", "DISCARD", "WATCH", "UNWATCH", "PUT", "ALL", "JSON.SET", "JSON.GET"}) {
            assertTrue(names.contains(required), required);
        }
        CommandSpec mset = t.lookup("MSET").spec;
        assertEquals(-3, mset.arity());
        assertEquals(1, mset.firstKey());
        assertEquals(-1, mset.lastKey());
        assertEquals(2, mset.keyStep());
        assertTrue(t.lookup("SET").spec.is(CommandSpec.Flag.DENYOOM));
        assertTrue(t.lookup("FLUSHALL").spec.is(CommandSpec.Flag.ADMIN));
    }
}
