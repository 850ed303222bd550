package io.qrrot.engine.store;

/**
 * The type byte stored with every entry. The store only interprets {@link #INT} (its value is 8 bytes, a
 * signed 64-bit integer, readable with {@link EntryView#longValue()}); the meaning of the other types'
 * bytes belongs to the command layer.
 */
public final class EntryType {
    /** Arbitrary bytes. */
    public static final byte STRING = 1;
    /** A signed 64-bit integer stored inline as 8 bytes. */
    public static final byte INT = 2;
    /** Compact JSON text, stored as its UTF-8 bytes. */
    public static final byte JSON = 3;

    /** One more than the largest type: the length of an array indexed by type. */
    public static final int COUNT = 4;

    private EntryType() {
    }

    /** True for STRING, INT and JSON. */
    public static boolean isValid(byte type) {
        return type >= STRING && type <= JSON;
    }

    /** The lower-case name used by the TYPE command and INFO: {@code string}, {@code int}, {@code json}. */
    public static String name(byte type) {
        switch (type) {
            case STRING:
                return "string";
            case INT:
                return "int";
            case JSON:
                return "json";
            default:
                throw new IllegalArgumentException("unknown entry type " + type + "; expected 1 (STRING), 2 (INT) or 3 (JSON)");
        }
    }
}
