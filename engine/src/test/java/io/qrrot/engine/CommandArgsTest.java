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

    @Test
    void anArgumentGrowsWithWhatArrivedNotWithItsAnnouncedLength() {
        CommandArgs a = CommandArgs.of("SET", "k");
        int before = a.array().length;
        a.beginArg();
        long announced = 100_000_000;
        byte[] piece = new byte[1000];
        java.util.Arrays.fill(piece, (byte) 'x');
        long received = 0;
        for (int i = 0; i < 10; i++) {
            int at = a.extendLast(piece.length, announced - received);
            System.arraycopy(piece, 0, a.array(), at, piece.length);
            received += piece.length;
            assertTrue(a.array().length <= Math.max(before, 2 * (5 + received)),
                    "array of " + a.array().length + " bytes after " + received + " received");
        }
        assertEquals(3, a.count());
        assertEquals(10_000, a.length(2));
        assertEquals("k", a.string(1));
        assertEquals('x', a.array()[a.offset(2) + 9_999]);
    }

    @Test
    void anExtendedArgumentNeverGrowsPastItsFinalLength() {
        CommandArgs a = new CommandArgs(16, 2);
        a.beginArg();
        int at = a.extendLast(10, 40);
        assertEquals(0, at);
        a.extendLast(30, 30);
        assertEquals(40, a.array().length, "doubling capped at what the argument needs");
        assertEquals(40, a.length(0));
        assertThrows(IllegalArgumentException.class, () -> a.extendLast(5, 4));
        assertThrows(IllegalStateException.class, () -> new CommandArgs().extendLast(1, 1));
    }
}
