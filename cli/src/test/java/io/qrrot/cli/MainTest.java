package io.qrrot.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.qrrot.cli.testing.CliRun;
import org.junit.jupiter.api.Test;

/** The command line itself: help, version, usage errors. No server needed. */
class MainTest {

    @Test
    void versionAndHelp() {
        CliRun.Result v = new CliRun().run("--version");
        assertEquals(0, v.exit());
        assertEquals("qrrot " + Version.VERSION + "\n", v.out());
        assertTrue(Version.VERSION.matches("\\d+\\.\\d+\\.\\d+.*"), Version.VERSION);

        CliRun.Result h = new CliRun().run("--help");
        assertEquals(0, h.exit());
        assertTrue(h.out().startsWith("Usage: qrrot [-hV] [COMMAND]\nA durable in-memory key-value database for the JVM.\n"),
                h.out());
        assertTrue(h.out().contains("\n  cli  "), h.out());
        assertTrue(h.out().contains("\n  ai  "), h.out());
        assertTrue(h.out().contains("\n  cluster  "), h.out());
        assertTrue(h.out().contains("\n  generate-completion  "), h.out());

        CliRun.Result cli = new CliRun().run("cli", "--help");
        assertEquals(0, cli.exit());
        assertTrue(cli.out().startsWith("Usage: qrrot cli [-3c] [--create] [--help] [-a=PASSWORD] [--ai-base-url=URL]"),
                cli.out());
        assertTrue(cli.out().contains("--ai-model=MODEL"), cli.out());

        CliRun.Result ai = new CliRun().run("ai", "--help");
        assertEquals(0, ai.exit());
        assertTrue(ai.out().contains("--yes"), ai.out());
        assertTrue(ai.out().contains("Gemini model (default: gemini-2.5-flash)."), ai.out());
    }

    @Test
    void usageErrorsExitWith2() {
        CliRun.Result none = new CliRun().run();
        assertEquals(2, none.exit());
        assertTrue(none.err().startsWith("qrrot: missing a command\nUsage: qrrot"), none.err());

        CliRun.Result unknown = new CliRun().run("frobnicate");
        assertEquals(2, unknown.exit());
        assertTrue(unknown.err().startsWith("Unmatched argument at index 0: 'frobnicate'"), unknown.err());

        CliRun.Result badPort = new CliRun().run("cli", "-p", "notaport", "PING");
        assertEquals(2, badPort.exit());
        assertTrue(badPort.err().startsWith("Invalid value for option '-p': 'notaport' is not an int"), badPort.err());

        CliRun.Result both = new CliRun().run("cli", "--raw", "--json", "PING");
        assertEquals(2, both.exit());
        assertTrue(both.err().startsWith("Error: --raw, --json are mutually exclusive"), both.err());

        CliRun.Result noRequest = new CliRun().run("ai");
        assertEquals(2, noRequest.exit());
        assertTrue(noRequest.err().startsWith("Missing required parameter: 'REQUEST'"), noRequest.err());
    }

    @Test
    void generateCompletionPrintsABashScript() {
        CliRun.Result r = new CliRun().run("generate-completion");
        assertEquals(0, r.exit());
        assertTrue(r.out().contains("complete -F _complete_qrrot"), r.out());
        assertTrue(r.out().contains("cli ai cluster snapshot wal generate-completion"), r.out());
    }

    @Test
    void connectionFailuresGoToStderrEvenWithJson() throws Exception {
        int dead;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            dead = s.getLocalPort();
        }
        CliRun.Result r = new CliRun().run("cli", "--json", "-p", Integer.toString(dead), "PING");
        assertEquals(1, r.exit());
        assertEquals("", r.out());
        assertEquals("could not connect to 127.0.0.1:" + dead + ": Connection refused\n", r.err());
    }
}
