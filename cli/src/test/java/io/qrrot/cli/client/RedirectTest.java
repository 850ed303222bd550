package io.qrrot.cli.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

/** Parsing the MOVED and ASK errors {@code qrrot cli -c} follows. */
class RedirectTest {
    @Test
    void movedAndAsk() {
        assertEquals(new ClientSession.Redirect(false, 3999, "127.0.0.1", 6381),
                ClientSession.Redirect.parse("MOVED 3999 127.0.0.1:6381"));
        assertEquals(new ClientSession.Redirect(true, 12, "node-2.example", 7000),
                ClientSession.Redirect.parse("ASK 12 node-2.example:7000"));
    }

    @Test
    void emptyHostAndIpv6() {
        // An empty host means the same host (redis-cli keeps its own); the port follows the last colon.
        assertEquals(new ClientSession.Redirect(false, 1, "", 6381), ClientSession.Redirect.parse("MOVED 1 :6381"));
        assertEquals(new ClientSession.Redirect(false, 1, "::1", 6381), ClientSession.Redirect.parse("MOVED 1 ::1:6381"));
        assertEquals(new ClientSession.Redirect(false, 1, "::1", 6381),
                ClientSession.Redirect.parse("MOVED 1 [::1]:6381"));
    }

    @Test
    void otherErrorsAreNotRedirections() {
        assertNull(ClientSession.Redirect.parse("ERR unknown command"));
        assertNull(ClientSession.Redirect.parse("CLUSTERDOWN The cluster is down"));
        assertNull(ClientSession.Redirect.parse("MOVED x 127.0.0.1:6381"));
        assertNull(ClientSession.Redirect.parse("MOVED 1 127.0.0.1"));
        assertNull(ClientSession.Redirect.parse("READONLY You can't write against a read only replica."));
    }
}
