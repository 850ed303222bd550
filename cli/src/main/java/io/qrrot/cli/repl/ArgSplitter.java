package io.qrrot.cli.repl;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits a typed line into command arguments the way redis-cli does (sdssplitargs), plus one addition for
 * JSON values.
 *
 * <ul>
 *   <li>Arguments are separated by spaces, tabs and newlines.</li>
 *   <li>{@code "…"}: {@code \n \r \t \b \a \\ \"} and {@code \xhh} escapes; {@code '…'}: only {@code \'}.
 *       A closing quote must be followed by a space or the end of the line.</li>
 *   <li>An argument starting with {@code {}, or with {@code [} followed by the start of a JSON value, is a
 *       JSON value: it runs until its brackets balance (brackets inside JSON strings do not count) and keeps
 *       its inner spaces and newlines. While they are still open the line is {@link Result#incomplete()},
 *       and the REPL asks for the next line.</li>
 * </ul>
 */
public final class ArgSplitter {
    private ArgSplitter() {
    }

    /** One argument and where it sits in the line ({@code end} exclusive). */
    public record Token(byte[] bytes, int start, int end) {
        public String text() {
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }

    /**
     * @param tokens     the arguments found (the last one may be cut short when incomplete or in error)
     * @param missing    the closing characters a JSON value still needs ({@code "}}"}, {@code "]}"}), or null
     * @param error      why the line is not valid (unbalanced quotes), or null
     */
    public record Result(List<Token> tokens, String missing, String error) {
        public boolean incomplete() {
            return missing != null;
        }

        public boolean ok() {
            return missing == null && error == null;
        }

        public List<byte[]> args() {
            List<byte[]> out = new ArrayList<>(tokens.size());
            for (Token t : tokens) {
                out.add(t.bytes());
            }
            return out;
        }

        public List<String> words() {
            List<String> out = new ArrayList<>(tokens.size());
            for (Token t : tokens) {
                out.add(t.text());
            }
            return out;
        }
    }

    public static Result split(String line) {
        List<Token> tokens = new ArrayList<>();
        int n = line.length();
        int i = 0;
        while (true) {
            while (i < n && isSpace(line.charAt(i))) {
                i++;
            }
            if (i >= n) {
                return new Result(tokens, null, null);
            }
            int start = i;
            ByteArrayOutputStream cur = new ByteArrayOutputStream();
            char first = line.charAt(i);
            if (first == '{' || (first == '[' && startsJsonArray(line, i))) {
                StringBuilder stack = new StringBuilder();
                i = scanJson(line, i, stack);
                utf8(cur, line.substring(start, i));
                if (stack.length() > 0) {
                    tokens.add(new Token(cur.toByteArray(), start, i));
                    return new Result(tokens, stack.reverse().toString(), null);
                }
                // A balanced value ends the argument only at a separator; anything glued on is kept.
            }
            boolean inDouble = false;
            boolean inSingle = false;
            while (true) {
                if (i >= n) {
                    if (inDouble || inSingle) {
                        tokens.add(new Token(cur.toByteArray(), start, i));
                        return new Result(tokens, null, "Invalid argument(s)");
                    }
                    break;
                }
                char c = line.charAt(i);
                if (inDouble) {
                    if (c == '\\' && i + 3 < n && line.charAt(i + 1) == 'x'
                            && isHex(line.charAt(i + 2)) && isHex(line.charAt(i + 3))) {
                        cur.write(Character.digit(line.charAt(i + 2), 16) * 16 + Character.digit(line.charAt(i + 3), 16));
                        i += 4;
                    } else if (c == '\\' && i + 1 < n) {
                        char e = line.charAt(i + 1);
                        switch (e) {
                            case 'n' -> cur.write('\n');
                            case 'r' -> cur.write('\r');
                            case 't' -> cur.write('\t');
                            case 'b' -> cur.write('\b');
                            case 'a' -> cur.write(7);
                            default -> utf8(cur, line.substring(i + 1, i + 1 + Character.charCount(line.codePointAt(i + 1))));
                        }
                        i += 1 + Character.charCount(line.codePointAt(i + 1));
                    } else if (c == '"') {
                        if (i + 1 < n && !isSpace(line.charAt(i + 1))) {
                            tokens.add(new Token(cur.toByteArray(), start, i + 1));
                            return new Result(tokens, null, "Invalid argument(s)");
                        }
                        inDouble = false;
                        i++;
                        break;
                    } else {
                        i = appendCodePoint(cur, line, i);
                    }
                } else if (inSingle) {
                    if (c == '\\' && i + 1 < n && line.charAt(i + 1) == '\'') {
                        cur.write('\'');
                        i += 2;
                    } else if (c == '\'') {
                        if (i + 1 < n && !isSpace(line.charAt(i + 1))) {
                            tokens.add(new Token(cur.toByteArray(), start, i + 1));
                            return new Result(tokens, null, "Invalid argument(s)");
                        }
                        inSingle = false;
                        i++;
                        break;
                    } else {
                        i = appendCodePoint(cur, line, i);
                    }
                } else {
                    if (isSpace(c)) {
                        break;
                    } else if (c == '"') {
                        inDouble = true;
                        i++;
                    } else if (c == '\'') {
                        inSingle = true;
                        i++;
                    } else {
                        i = appendCodePoint(cur, line, i);
                    }
                }
            }
            tokens.add(new Token(cur.toByteArray(), start, i));
        }
    }

    /**
     * Scans a JSON value from {@code from} (at '{' or '['), tracking open brackets in {@code stack}; returns
     * the index after the balancing bracket, or the end of the line with {@code stack} non-empty.
     */
    private static int scanJson(String line, int from, StringBuilder stack) {
        int n = line.length();
        int i = from;
        boolean inString = false;
        while (i < n) {
            char c = line.charAt(i++);
            if (inString) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    inString = false;
                }
                continue;
            }
            switch (c) {
                case '"' -> inString = true;
                case '{' -> stack.append('}');
                case '[' -> stack.append(']');
                case '}', ']' -> {
                    if (stack.length() > 0 && stack.charAt(stack.length() - 1) == c) {
                        stack.setLength(stack.length() - 1);
                        if (stack.length() == 0) {
                            return i;
                        }
                    }
                }
                default -> {
                }
            }
        }
        if (inString) {
            stack.append('"');
        }
        return n;
    }

    /** {@code [} starts a JSON array when the next non-space character can start a JSON value or close it. */
    private static boolean startsJsonArray(String line, int at) {
        for (int i = at + 1; i < line.length(); i++) {
            char c = line.charAt(i);
            if (isSpace(c)) {
                continue;
            }
            return c == '{' || c == '[' || c == '"' || c == ']' || c == '-' || (c >= '0' && c <= '9')
                    || line.startsWith("true", i) || line.startsWith("false", i) || line.startsWith("null", i);
        }
        return true; // "[" at the end of the line: an array being typed
    }

    private static int appendCodePoint(ByteArrayOutputStream out, String line, int i) {
        int cp = line.codePointAt(i);
        int len = Character.charCount(cp);
        utf8(out, line.substring(i, i + len));
        return i + len;
    }

    private static void utf8(ByteArrayOutputStream out, String s) {
        out.writeBytes(s.getBytes(StandardCharsets.UTF_8));
    }

    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r';
    }

    private static boolean isHex(char c) {
        return Character.digit(c, 16) >= 0;
    }
}
