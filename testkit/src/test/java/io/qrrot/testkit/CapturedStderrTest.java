package io.qrrot.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class CapturedStderrTest {
    @Test
    void capturesUntilClosedAndStillPassesEverythingOn() {
        PrintStream saved = System.err;
        ByteArrayOutputStream shown = new ByteArrayOutputStream();
        PrintStream outer = new PrintStream(shown, true, StandardCharsets.UTF_8);
        System.setErr(outer);
        try {
            System.err.println("before");
            CapturedStderr stderr = new CapturedStderr();
            try (stderr) {
                System.err.println("während");
                System.err.write('x');
                System.err.flush();
                assertEquals("während\nx", stderr.text());
            }
            assertSame(outer, System.err, "the previous stream is back");
            System.err.println("after");
            assertEquals("während\nx", stderr.text(), "readable after close, and nothing more");
            assertEquals("before\nwährend\nxafter\n", shown.toString(StandardCharsets.UTF_8));
        } finally {
            System.setErr(saved);
        }
    }
}
