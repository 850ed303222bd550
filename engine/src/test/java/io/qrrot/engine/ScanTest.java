package io.qrrot.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Cursor walks: SCAN and ALL cover every key, stay bounded per call, and skip expired keys. */
class ScanTest {
    @Test
    void scanVisitsEveryKeyInBoundedBatches() {
        try (Harness h = new Harness(EngineConfig.defaults().withShards(16), 1_000_000L)) {
            Set<String> all = new HashSet<>();
            for (int i = 0; i < 2000; i++) {
                h.call("SET", "key:" + i, "v");
                all.add("key:" + i);
            }
            h.call("SET", "gone", "v", "PX", "5");
            h.clock.advance(10);
            Set<String> seen = new HashSet<>();
            String cursor = "0";
            int calls = 0;
            do {
                List<?> r = (List<?>) h.call("SCAN", cursor, "COUNT", "7");
                cursor = (String) r.get(0);
                List<?> keys = (List<?>) r.get(1);
                assertTrue(keys.size() <= 7 * 10, "batch of " + keys.size());
                for (Object k : keys) {
                    seen.add((String) k);
                }
                calls++;
            } while (!cursor.equals("0"));
            assertEquals(all, seen);
            assertTrue(calls > 100, "calls: " + calls);
            assertEquals(2000L, h.call("DBSIZE"), "the expired key met by the walk was reclaimed");
        }
    }

    @Test
    void smallKeyspaceFitsOneCallAndMatchFilters() {
        try (Harness h = new Harness()) {
            h.call("MSET", "user:1", "a", "user:2", "b", "item:1", "c");
            List<?> r = (List<?>) h.call("SCAN", "0", "MATCH", "user:*", "COUNT", "100");
            assertEquals("0", r.get(0));
            assertEquals(Set.of("user:1", "user:2"), new HashSet<>((List<?>) r.get(1)));
            r = (List<?>) h.call("SCAN", "0", "TYPE", "ReJSON-RL", "COUNT", "100");
            assertEquals(List.of(), r.get(1));
            r = (List<?>) h.call("SCAN", "999999999999999999");
            assertEquals(List.of("0", List.of()), r);
        }
    }

    @Test
    void allReturnsKeyTypeAndValueAndIsCapped() {
        try (Harness h = new Harness(EngineConfig.defaults().withShards(4), 1_000_000L)) {
            h.call("SET", "s", "text");
            h.call("SET", "i", "42");
            h.call("PUT", "j", "{\"a\": [1]}", "json");
            List<?> r = (List<?>) h.call("ALL");
            assertEquals("0", r.get(0));
            Map<String, String> got = new HashMap<>();
            for (Object e : (List<?>) r.get(1)) {
                List<?> t = (List<?>) e;
                got.put((String) t.get(0), Script.render(t.get(1)) + " " + t.get(2));
            }
            assertEquals(Map.of("s", "+string text", "i", "+int 42", "j", "+json {\"a\":[1]}"), got);
            for (int n = 0; n < 3000; n++) {
                h.call("SET", "k" + n, "v");
            }
            Set<String> seen = new HashSet<>();
            String cursor = "0";
            do {
                List<?> page = (List<?>) h.call("ALL", cursor, "COUNT", "100000");
                assertTrue(((List<?>) page.get(1)).size() <= QrrotCommands.MAX_ALL_COUNT * 2, "bounded page");
                cursor = (String) page.get(0);
                for (Object e : (List<?>) page.get(1)) {
                    seen.add((String) ((List<?>) e).get(0));
                }
            } while (!cursor.equals("0"));
            assertEquals(3003, seen.size());
            assertEquals("-ERR invalid cursor", Script.render(h.call("ALL", "x")));
            assertEquals("-ERR syntax error", Script.render(h.call("ALL", "0", "COUNT")));
            assertEquals("-ERR syntax error", Script.render(h.call("ALL", "0", "COUNT", "0")));
        }
    }
}
