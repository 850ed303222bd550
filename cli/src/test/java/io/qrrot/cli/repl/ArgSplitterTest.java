package io.qrrot.cli.repl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ArgSplitterTest {

    private static List<String> words(String line) {
        ArgSplitter.Result r = ArgSplitter.split(line);
        assertTrue(r.ok(), "not ok: " + r);
        return r.words();
    }

    @Test
    void splitsLikeRedisCli() {
        assertEquals(List.of("SET", "k", "v"), words("  SET k\tv  "));
        assertEquals(List.of("SET", "k", "a b\n\"c\""), words("SET k \"a b\\n\\\"c\\\"\""));
        assertEquals(List.of("SET", "k", "it's \\n"), words("SET k 'it\\'s \\n'"));
        assertEquals(List.of("SET", "k", ""), words("SET k \"\""));
        assertEquals(List.of("ab c"), words("a\"b c\""));
        assertEquals(List.of(), words("   "));
        assertArrayEquals(new byte[] {(byte) 0xc3, (byte) 0xa9, 0}, ArgSplitter.split("\"\\xc3\\xa9\\x00\"").args().get(0));
        assertEquals(List.of("café"), words("café"));
    }

    @Test
    void unbalancedQuotesAreAnError() {
        assertEquals("Invalid argument(s)", ArgSplitter.split("SET k \"abc").error());
        assertEquals("Invalid argument(s)", ArgSplitter.split("SET k \"abc\"def").error());
        assertEquals("Invalid argument(s)", ArgSplitter.split("SET k 'abc").error());
    }

    @Test
    void jsonValuesKeepTheirSpacesAndWaitForClosingBrackets() {
        assertEquals(List.of("JSON.SET", "k", "$", "{\"name\": \"a b\", \"tags\": [1, 2]}"),
                words("JSON.SET k $ {\"name\": \"a b\", \"tags\": [1, 2]}"));
        assertEquals(List.of("JSON.SET", "k", "$", "[1, {\"x\": \"}\"}]", "NX"),
                words("JSON.SET k $ [1, {\"x\": \"}\"}] NX"));
        ArgSplitter.Result open = ArgSplitter.split("JSON.SET k $ {\"a\": [1,");
        assertTrue(open.incomplete());
        assertEquals("]}", open.missing());
        assertNull(open.error());
        ArgSplitter.Result inString = ArgSplitter.split("JSON.SET k $ {\"a\": \"x");
        assertEquals("\"}", inString.missing());
        assertEquals(List.of("JSON.SET", "k", "$", "{\"a\":\n  1}"), words("JSON.SET k $ {\"a\":\n  1}"));
    }

    @Test
    void bracketsThatAreNotJsonAreOrdinaryWords() {
        assertEquals(List.of("ZRANGEBYLEX", "z", "[a", "[c"), words("ZRANGEBYLEX z [a [c"));
        assertFalse(ArgSplitter.split("GET [x").incomplete());
    }

    @Test
    void tokenPositions() {
        ArgSplitter.Result r = ArgSplitter.split("GET  \"a b\"");
        assertEquals(0, r.tokens().get(0).start());
        assertEquals(3, r.tokens().get(0).end());
        assertEquals(5, r.tokens().get(1).start());
        assertEquals(10, r.tokens().get(1).end());
    }
}
