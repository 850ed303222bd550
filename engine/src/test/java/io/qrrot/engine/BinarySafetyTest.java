package io.qrrot.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Keys and values are bytes: NUL, CR/LF, bytes >= 0x80 and empty strings all round-trip. */
class BinarySafetyTest {
    @Test
    void bytesRoundTrip() {
        try (Harness h = new Harness()) {
            String key = "k\0\r\n\u00ff\u0080";
            String value = "\0\0v\r\n\u00fe";
            assertEquals("+OK", Script.render(h.call("SET", key, value)));
            assertEquals(value, h.call("GET", key));
            assertEquals("+OK", Script.render(h.call("SET", "", "")));
            assertEquals("", h.call("GET", ""));
            assertEquals(1L, h.call("EXISTS", ""));
            assertEquals(Set.of(key, ""), new HashSet<>((List<?>) h.call("KEYS", "*")));
            assertEquals(List.of(key), h.call("KEYS", "k\0*"));
            assertEquals("+OK", Script.render(h.call("RENAME", key, key + "2")));
            assertEquals(value, h.call("GET", key + "2"));
            assertEquals(8L, h.call("APPEND", key + "2", "\u0000\u0001"));
            assertEquals(value + "\u0000\u0001", h.call("GETDEL", key + "2"));
            try (Engine replayed = h.replay(1)) {
                assertEquals(Harness.dump(h.engine), Harness.dump(replayed));
            }
        }
    }
}
