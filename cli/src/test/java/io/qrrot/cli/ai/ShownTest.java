package io.qrrot.cli.ai;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ShownTest {

    @Test
    void everyLineOfTheModelsTextIsLabelled() {
        assertEquals("model: Ivan is 25.", Shown.modelText("Ivan is 25."));
        assertEquals("model: one\nmodel:\nmodel:   - two", Shown.modelText("\n one\n\n  - two  \n\n"));
        assertEquals("model: a\nmodel: b\nmodel: c", Shown.modelText("a\r\nb\rc"));
        assertEquals("model: tab\there", Shown.modelText("tab\there"));
    }

    @Test
    void controlCharactersCannotRewriteTheScreen() {
        assertEquals("model: \\x1b[2K\\x1b[1Adone \\x07\\x7f\\x9b", Shown.modelText("\u001b[2K\u001b[1Adone \u0007\u007f\u009b"));
        assertEquals("model: abc\\u202efed \\u2066x\\u2069", Shown.modelText("abc\u202efed \u2066x\u2069"));
        assertEquals("model: Iván ✓ 😀", Shown.modelText("Iván ✓ 😀"));
    }

    @Test
    void oneLineEscapesLineBreaksAndTabs() {
        assertEquals("DEL a\\nb\\r\\tc\\x1b", Shown.oneLine("DEL a\nb\r\tc\u001b"));
        assertEquals("plain … text", Shown.oneLine("plain … text"));
    }

    @Test
    void outcomesAreOneLine() {
        AgentOutcome o = new AgentOutcome(AgentOutcome.Kind.REFUSED, "Nothing was written: the plan was refused "
                + "(command 1: DEL ivan\ndone: 1 command ran atomically is not a command name).");
        assertEquals("Nothing was written: the plan was refused (command 1: DEL ivan\\ndone: 1 command ran atomically "
                + "is not a command name).", o.message());
        assertEquals(3, o.exitCode());
    }
}
