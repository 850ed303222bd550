package io.qrrot.cli.resp;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * One decoded RESP2/RESP3 reply. Immutable. RESP2's null bulk string and null array and RESP3's null all
 * decode to {@link Null}; RESP3 blob errors decode to {@link ErrorReply}; attributes are skipped by the
 * reader.
 */
public sealed interface Reply {

    /** {@code +OK}. */
    record SimpleString(String value) implements Reply {
    }

    /** {@code -ERR …} or {@code !len}: the whole text, code word first. */
    record ErrorReply(String message) implements Reply {
    }

    /** {@code :5}. */
    record IntegerReply(long value) implements Reply {
    }

    /** {@code $3 abc}: binary-safe. */
    record BulkString(byte[] bytes) implements Reply {
        public BulkString {
            bytes = bytes.clone();
        }

        @Override
        public byte[] bytes() {
            return bytes.clone();
        }

        /** The bytes decoded as UTF-8 (malformed input replaced). */
        public String utf8() {
            return new String(bytes, StandardCharsets.UTF_8);
        }

        public int length() {
            return bytes.length;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof BulkString b && Arrays.equals(bytes, b.bytes);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(bytes);
        }

        @Override
        public String toString() {
            return "BulkString[" + utf8() + "]";
        }
    }

    /** RESP2 {@code $-1} / {@code *-1}, RESP3 {@code _}. */
    record Null() implements Reply {
    }

    /** {@code *n}. */
    record ArrayReply(List<Reply> elements) implements Reply {
        public ArrayReply {
            elements = List.copyOf(elements);
        }
    }

    /** RESP3 {@code %n}: entries in the order the server sent them. */
    record MapReply(List<Entry> entries) implements Reply {
        public MapReply {
            entries = List.copyOf(entries);
        }
    }

    /** One key/value pair of a {@link MapReply}. */
    record Entry(Reply key, Reply value) {
    }

    /** RESP3 {@code ~n}. */
    record SetReply(List<Reply> elements) implements Reply {
        public SetReply {
            elements = List.copyOf(elements);
        }
    }

    /** RESP3 {@code >n}: an out-of-band message. */
    record PushReply(List<Reply> elements) implements Reply {
        public PushReply {
            elements = List.copyOf(elements);
        }
    }

    /** RESP3 {@code ,3.14}: kept as the server's text ({@code inf}, {@code -inf}, {@code nan} included). */
    record DoubleReply(String text) implements Reply {
        public double value() {
            return switch (text.toLowerCase(java.util.Locale.ROOT)) {
                case "inf", "+inf" -> Double.POSITIVE_INFINITY;
                case "-inf" -> Double.NEGATIVE_INFINITY;
                case "nan" -> Double.NaN;
                default -> Double.parseDouble(text);
            };
        }
    }

    /** RESP3 {@code #t} / {@code #f}. */
    record BooleanReply(boolean value) implements Reply {
    }

    /** RESP3 {@code (123…}: decimal digits, optionally signed. */
    record BigNumberReply(String digits) implements Reply {
    }

    /** RESP3 {@code =len fmt:text}, e.g. format {@code txt} or {@code mkd}. */
    record VerbatimReply(String format, String text) implements Reply {
    }

    Null NULL = new Null();

    default boolean isError() {
        return this instanceof ErrorReply;
    }

    /** Elements of an array, set or push reply; empty for anything else. */
    default List<Reply> elements() {
        if (this instanceof ArrayReply a) {
            return a.elements();
        }
        if (this instanceof SetReply s) {
            return s.elements();
        }
        if (this instanceof PushReply p) {
            return p.elements();
        }
        return List.of();
    }
}
