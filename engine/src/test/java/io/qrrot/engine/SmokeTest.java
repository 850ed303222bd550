package io.qrrot.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class SmokeTest {
    @Test
    void basics() {
        try (Harness h = new Harness()) {
            assertEquals(new TreeSink.Status("OK"), h.call("SET", "k", "v"));
            assertEquals("v", h.call("GET", "k"));
            assertEquals(new TreeSink.Status("OK"), h.call("SET", "n", "41"));
            assertEquals(42L, h.call("INCR", "n"));
            assertEquals("42", h.call("GET", "n"));
            assertEquals(2L, h.call("DEL", "k", "k", "n"));
            assertEquals(null, h.call("GET", "k"));
            assertEquals(Harness.dump(h.engine), Harness.dump(h.replay(1)));
        }
    }
}
