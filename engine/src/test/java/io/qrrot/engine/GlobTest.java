package io.qrrot.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

class GlobTest {
    static boolean m(String pattern, String s) {
        byte[] p = pattern.getBytes(StandardCharsets.ISO_8859_1);
        byte[] x = s.getBytes(StandardCharsets.ISO_8859_1);
        return Glob.matches(new UnsafeBuffer(p), 0, p.length, new UnsafeBuffer(x), 0, x.length);
    }

    @Test
    void redisGlobSemantics() {
        assertEquals(false, m("*", "")); // as Redis' stringmatchlen; KEYS/SCAN treat a lone * as "everything"
        assertEquals(false, m("**", ""));
        assertEquals(true, m("*", "abc"));
        assertEquals(true, m("a*", "abc"));
        assertEquals(false, m("a*", "bac"));
        assertEquals(true, m("*c", "abc"));
        assertEquals(true, m("a?c", "abc"));
        assertEquals(false, m("a?c", "ac"));
        assertEquals(true, m("h[ae]llo", "hello"));
        assertEquals(false, m("h[ae]llo", "hillo"));
        assertEquals(true, m("h[^e]llo", "hallo"));
        assertEquals(false, m("h[^e]llo", "hello"));
        assertEquals(true, m("h[a-b]llo", "hbllo"));
        assertEquals(true, m("h[b-a]llo", "hallo"));
        assertEquals(true, m("h\\*llo", "h*llo"));
        assertEquals(false, m("h\\*llo", "hello"));
        assertEquals(true, m("[\\]]", "]"));
        assertEquals(false, m("a[", "a["));
        assertEquals(false, m("a[", "ab"));
        assertEquals(true, m("**a**b**", "xxaxxbxx"));
        assertEquals(true, m("*a*b*c*", "aXbXc"));
        assertEquals(false, m("*a*b*c*", "aXcXb"));
        assertEquals(false, m("abc", "abcd"));
        assertEquals(true, m("abc*", "abc"));
        assertEquals(false, m("a*".repeat(2000) + "b", "a".repeat(3000)));
    }
}
