package io.qrrot.server.resp;

import io.netty.buffer.ByteBuf;
import io.qrrot.engine.CommandArgs;
import java.util.Arrays;

/**
 * Splits an inline command line ({@code SET a "b c"} typed over telnet) into arguments exactly as Redis'
 * {@code sdssplitargs} does: blanks separate words; {@code "…"} understands {@code \n \r \t \b \a \\ \"}
 * and {@code \xHH}; {@code '…'} understands only {@code \'}; a closing quote must be followed by a blank or
 * the end; an unterminated quote is an error. A NUL byte ends the line, as it ends a C string.
 * One per connection; not thread-safe.
 */
public final class InlineSplitter {
    private byte[] token = new byte[64];
    private int tokenLength;

    /**
     * Adds the words of {@code line[from, to)} to {@code args}.
     *
     * @return false when quotes are unbalanced (args then holds a partial result and must be discarded)
     */
    public boolean split(ByteBuf line, int from, int to, CommandArgs args) {
        int p = from;
        while (true) {
            while (at(line, p, to) != 0 && isSpace(at(line, p, to))) {
                p++;
            }
            if (at(line, p, to) == 0) {
                return true;
            }
            boolean inDouble = false;
            boolean inSingle = false;
            boolean done = false;
            tokenLength = 0;
            while (!done) {
                int c = at(line, p, to);
                if (inDouble) {
                    if (c == '\\' && at(line, p + 1, to) == 'x' && isHex(at(line, p + 2, to))
                            && isHex(at(line, p + 3, to))) {
                        append(hex(at(line, p + 2, to)) * 16 + hex(at(line, p + 3, to)));
                        p += 3;
                    } else if (c == '\\' && at(line, p + 1, to) != 0) {
                        p++;
                        int e = at(line, p, to);
                        switch (e) {
                            case 'n' -> append('\n');
                            case 'r' -> append('\r');
                            case 't' -> append('\t');
                            case 'b' -> append('\b');
                            case 'a' -> append(7);
                            default -> append(e);
                        }
                    } else if (c == '"') {
                        int next = at(line, p + 1, to);
                        if (next != 0 && !isSpace(next)) {
                            return false;
                        }
                        done = true;
                    } else if (c == 0) {
                        return false;
                    } else {
                        append(c);
                    }
                } else if (inSingle) {
                    if (c == '\\' && at(line, p + 1, to) == '\'') {
                        p++;
                        append('\'');
                    } else if (c == '\'') {
                        int next = at(line, p + 1, to);
                        if (next != 0 && !isSpace(next)) {
                            return false;
                        }
                        done = true;
                    } else if (c == 0) {
                        return false;
                    } else {
                        append(c);
                    }
                } else {
                    switch (c) {
                        case ' ', '\n', '\r', '\t', 0 -> done = true;
                        case '"' -> inDouble = true;
                        case '\'' -> inSingle = true;
                        default -> append(c);
                    }
                }
                if (at(line, p, to) != 0) {
                    p++;
                }
            }
            args.add(token, 0, tokenLength);
        }
    }

    /** The byte at {@code i} as 0..255, or 0 past the end (the C string's terminator). */
    private static int at(ByteBuf b, int i, int to) {
        return i < to ? b.getByte(i) & 0xFF : 0;
    }

    /** C's isspace in the C locale. */
    private static boolean isSpace(int c) {
        return c == ' ' || c == '\t' || c == '\n' || c == 0x0B || c == '\f' || c == '\r';
    }

    private static boolean isHex(int c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    private static int hex(int c) {
        if (c <= '9') {
            return c - '0';
        }
        return (c | 0x20) - 'a' + 10;
    }

    private void append(int b) {
        if (tokenLength == token.length) {
            token = Arrays.copyOf(token, token.length * 2);
        }
        token[tokenLength++] = (byte) b;
    }
}
