package io.qrrot.cli.ai;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class PlanTest {

    @Test
    void boxShowsEveryCommandExactlyAsItRuns() {
        Plan p = new Plan(List.of(List.of("DEL", "ivan"), List.of("SET", "greeting", "hello world", "EX", "60")),
                List.of("ivan"), "Ivan is 25, younger than 30.");
        assertEquals("""
                + Proposed writes (2 commands, run atomically) --------+
                | 1. DEL ivan                                          |
                | 2. SET greeting "hello world" EX 60                  |
                + Aborts if any of these keys changed since read: ivan +
                """, p.box());
    }

    @Test
    void boxLinesAllHaveTheSameWidth() {
        Plan p = new Plan(List.of(List.of("JSON.SET", "user:1", "$", "{\"name\":\"a\\nb\"}")), List.of(), "");
        List<String> lines = p.box().lines().toList();
        assertEquals(3, lines.size());
        assertEquals(lines.get(0).length(), lines.get(1).length());
        assertEquals(lines.get(0).length(), lines.get(2).length());
        assertEquals("| 1. JSON.SET user:1 $ \"{\\\"name\\\":\\\"a\\\\nb\\\"}\" |", lines.get(1));
        assertEquals("+ Runs as one MULTI/EXEC transaction. ", lines.get(2).substring(0, 38));
    }

    @Test
    void longWatchListsAreShortened() {
        Plan p = new Plan(List.of(List.of("DEL", "a")), List.of("a", "b", "c", "d", "e", "f", "g"), "");
        String footer = p.box().lines().toList().get(2);
        assertEquals("+ Aborts if any of these keys changed since read: a, b, c, d, e and 2 more +", footer);
    }
}
