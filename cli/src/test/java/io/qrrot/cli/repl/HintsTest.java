package io.qrrot.cli.repl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.qrrot.cli.help.CommandCatalog;
import java.util.List;
import org.junit.jupiter.api.Test;

class HintsTest {
    private final CommandCatalog catalog = CommandCatalog.builtin();

    @Test
    void hintShowsWhatIsLeftToType() {
        assertEquals(" key value [NX|XX] [GET] [EX seconds|PX milliseconds|EXAT unix-time-seconds|"
                + "PXAT unix-time-milliseconds|KEEPTTL]", Hints.hint("SET", catalog));
        assertEquals("key value [NX|XX] [GET] [EX seconds|PX milliseconds|EXAT unix-time-seconds|"
                + "PXAT unix-time-milliseconds|KEEPTTL]", Hints.hint("set ", catalog));
        assertEquals("value [NX|XX] [GET] [EX seconds|PX milliseconds|EXAT unix-time-seconds|"
                + "PXAT unix-time-milliseconds|KEEPTTL]", Hints.hint("SET k ", catalog));
        assertEquals("GET pattern [pattern ...]|SET parameter value [parameter value ...]|RESETSTAT|REWRITE",
                Hints.hint("config ", catalog));
        assertEquals("", Hints.hint("GET k ", catalog));
        assertEquals("", Hints.hint("NOSUCH ", catalog));
        assertEquals("", Hints.hint("", catalog));
        assertEquals("element [element ...]", Hints.hint("lpush queue ", catalog));
        assertEquals("BEFORE|AFTER pivot element", Hints.hint("LINSERT q ", catalog));
        assertEquals("[NX|XX] [GT|LT] [CH] [INCR] score member [score member ...]", Hints.hint("ZADD board ", catalog));
    }

    @Test
    void hintsAreCutToTheRoomLeft() {
        assertEquals("key value", Hints.fit("key value", 9));
        assertEquals("key va…", Hints.fit("key value", 7));
        assertEquals("", Hints.fit("key value", 3));
    }

    @Test
    void syntaxItemsRespectBrackets() {
        assertEquals(List.of("key", "value", "[NX|XX]", "[EX seconds|PX ms]"), Hints.items("key value [NX|XX] [EX seconds|PX ms]"));
    }
}
