package io.qrrot.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class CommandArgsTest {
    @Test
    void growsAndKeepsEveryArgument() {
        CommandArgs a = new CommandArgs(16, 2);
        for (int i = 0; i < 100; i++) {
            a.add(("arg" + i).getBytes());
        }
        assertEquals(100, a.count());
        for (int i = 0; i < 100; i++) {
            assertEquals("arg" + i, a.string(i));
        }
        a.clear();
        assertEquals(0, a.count());
        assertThrows(IndexOutOfBoundsException.class, () -> a.length(0));
    }

    @Test
    void comparesCommandNamesIgnoringAsciiCase() {
        CommandArgs a = CommandArgs.of("sEt", "k", "v");
        assertTrue(a.is(0, "SET"));
        assertFalse(a.is(0, "SETNX"));
        assertFalse(a.is(1, "SET"));
        assertArrayEquals(new byte[] {'v'}, a.bytes(2));
        assertEquals('k', a.buffer().getByte(a.offset(1)));
    }
}
