package io.qrrot.engine.store;

/**
 * The value-type model: the one place that owns each type's code, its names and its encodings. The code is the
 * type byte of a store entry, of an effect op and of a snapshot record alike, so a type means the same
 * thing in memory, in the log and on disk.
 *
 * <table>
 *   <caption>Types</caption>
 *   <tr><th>code</th><th>qrrot name</th><th>Redis TYPE</th><th>value bytes in the store</th></tr>
 *   <tr><td>1</td><td>string</td><td>string</td><td>the bytes</td></tr>
 *   <tr><td>2</td><td>int</td><td>string</td><td>8 bytes, signed 64-bit little-endian</td></tr>
 *   <tr><td>3</td><td>json</td><td>ReJSON-RL</td><td>compact UTF-8 JSON text</td></tr>
 *   <tr><td>4</td><td>hash</td><td>hash</td><td>a collection: {@link Collection} (packed block or table)</td></tr>
 *   <tr><td>5</td><td>list</td><td>list</td><td>a {@link ListNodes} (its address after the table encoding byte):
 *       elements in order, each with a label; an element's payload is its value</td></tr>
 *   <tr><td>6</td><td>set</td><td>set</td><td>a collection: {@link Collection} (intset or table)</td></tr>
 *   <tr><td>7</td><td>zset</td><td>zset</td><td>a collection: {@link Collection} (packed block in (score,
 *       member) order, or table with a {@link ScoreIndex}); each member's payload is its score</td></tr>
 *   <tr><td>8</td><td>memcached</td><td>string</td><td>a memcached item: {@link #ITEM_HEAD} bytes of head, then
 *       the bytes (below)</td></tr>
 * </table>
 *
 * <p>A memcached item is a string that also keeps what the memcached protocol stores with a value:
 * <pre>
 *   0        4                12
 *   +--------+----------------+----------------------+
 *   | flags  | cas unique     | bytes                |
 *   | u32 LE | u64 LE         | (the string's value) |
 *   +--------+----------------+----------------------+
 * </pre>
 * Redis commands see the bytes as a string (the engine skips the head when it reads one); a Redis write
 * replaces the item with a plain string, flags and CAS gone.
 *
 * <p>Checks are positive ({@link #isText}, {@link #isHash}), so a type added later is never taken for bytes by
 * a string command.
 */
public final class EntryType {
    /** Arbitrary bytes. */
    public static final byte STRING = 1;
    /** A signed 64-bit integer stored inline as 8 bytes. */
    public static final byte INT = 2;
    /** Compact JSON text, stored as its UTF-8 bytes. */
    public static final byte JSON = 3;
    /** A hash: fields with values. */
    public static final byte HASH = 4;
    /** A list: values in order, each with a label ({@link ListNodes}) that is its element in the log. */
    public static final byte LIST = 5;
    /** A set: members without values. */
    public static final byte SET = 6;
    /** A sorted set: members with a score each, ordered by (score, member). */
    public static final byte ZSET = 7;

    /** A memcached item: a string with its client flags and CAS unique (the head described above). */
    public static final byte ITEM = 8;

    /** One more than the largest type: the length of an array indexed by type. */
    public static final int COUNT = 9;

    /** Bytes of a memcached item's head: flags (u32) and CAS unique (u64), little-endian. */
    public static final int ITEM_HEAD = 12;
    /** Offset of the CAS unique in a memcached item's value. */
    public static final int ITEM_CAS_OFFSET = 4;

    /** Bytes of a sorted-set member's payload: its score, an IEEE 754 double, little-endian. */
    public static final int SCORE_BYTES = 8;

    /** Encoding of a collection held in one packed block (Redis calls its equivalent listpack). */
    public static final byte ENCODING_PACKED = 1;
    /**
     * Encoding of a collection held in an off-heap hash table of elements (Redis: hashtable); a sorted set's
     * table comes with a {@link ScoreIndex} of its order (Redis: skiplist).
     */
    public static final byte ENCODING_TABLE = 2;
    /** Encoding of a set of integers held as sorted fixed-width integers in one block (Redis: intset). */
    public static final byte ENCODING_INTSET = 3;

    private EntryType() {
    }

    /** True for every type this build knows. */
    public static boolean isValid(byte type) {
        return type >= STRING && type <= ITEM;
    }

    /**
     * A value readable as bytes by string commands: STRING, INT (its decimal text) and JSON (its text). An
     * {@link #ITEM} is read as a STRING once its head is skipped, which the engine does when it looks one up.
     */
    public static boolean isText(byte type) {
        return type == STRING || type == INT || type == JSON;
    }

    public static boolean isHash(byte type) {
        return type == HASH;
    }

    public static boolean isList(byte type) {
        return type == LIST;
    }

    public static boolean isSet(byte type) {
        return type == SET;
    }

    public static boolean isZset(byte type) {
        return type == ZSET;
    }

    /** A type whose value is a collection of elements rather than one value. */
    public static boolean isCollection(byte type) {
        return type == HASH || type == LIST || type == SET || type == ZSET;
    }

    /**
     * True when the elements of a collection of this type carry a payload: a hash field's value, a sorted-set
     * member's score ({@link #SCORE_BYTES} bytes), a list element's value (its element is its label).
     */
    public static boolean hasPayload(byte type) {
        return type == HASH || type == LIST || type == ZSET;
    }

    /**
     * The lower-case qrrot name (ALL, PUT, INFO, the tools): {@code string}, {@code int}, {@code json},
     * {@code hash}, {@code list}, {@code set}, {@code zset} or {@code memcached}.
     */
    public static String name(byte type) {
        switch (type) {
            case STRING:
                return "string";
            case INT:
                return "int";
            case JSON:
                return "json";
            case HASH:
                return "hash";
            case LIST:
                return "list";
            case SET:
                return "set";
            case ZSET:
                return "zset";
            case ITEM:
                return "memcached";
            default:
                throw unknown(type);
        }
    }

    /**
     * What Redis's TYPE answers: {@code string} for strings, ints and memcached items, {@code ReJSON-RL} for JSON
     * (as RedisJSON).
     */
    public static String redisName(byte type) {
        switch (type) {
            case STRING:
            case INT:
            case ITEM:
                return "string";
            case JSON:
                return "ReJSON-RL";
            case HASH:
                return "hash";
            case LIST:
                return "list";
            case SET:
                return "set";
            case ZSET:
                return "zset";
            default:
                throw unknown(type);
        }
    }

    /** The type a qrrot or Redis type name (SCAN TYPE, ALL) means, or 0 when none. Case-insensitive. */
    public static byte fromRedisName(String name) {
        switch (name.toLowerCase(java.util.Locale.ROOT)) {
            case "string":
                return STRING;
            case "rejson-rl":
                return JSON;
            case "hash":
                return HASH;
            case "list":
                return LIST;
            case "set":
                return SET;
            case "zset":
                return ZSET;
            default:
                return 0;
        }
    }

    /** Redis's name for a collection encoding, as OBJECT ENCODING answers. */
    public static String encodingName(byte type, byte encoding) {
        if (type == LIST) {
            return "quicklist"; // Redis 7.0 holds every list in a quicklist
        }
        if (type == HASH) {
            return encoding == ENCODING_PACKED ? "listpack" : "hashtable";
        }
        if (type == SET) {
            return encoding == ENCODING_INTSET ? "intset" : "hashtable";
        }
        if (type == ZSET) {
            return encoding == ENCODING_PACKED ? "listpack" : "skiplist";
        }
        throw unknown(type);
    }

    private static IllegalArgumentException unknown(byte type) {
        return new IllegalArgumentException("unknown entry type " + type
                + "; expected 1 (string), 2 (int), 3 (json), 4 (hash), 5 (list), 6 (set), 7 (zset) or 8 (memcached)");
    }
}
