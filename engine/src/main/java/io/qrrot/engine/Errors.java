package io.qrrot.engine;

/**
 * The error texts commands reply with, code word first and without RESP's leading '-'. Where Redis has the
 * same error the text is Redis' own, byte for byte, so clients and tests written against Redis match.
 */
final class Errors {
    static final String WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value";
    static final String NOT_INTEGER = "ERR value is not an integer or out of range";
    static final String NOT_FLOAT = "ERR value is not a valid float";
    static final String OVERFLOW = "ERR increment or decrement would overflow";
    static final String DECR_OVERFLOW = "ERR decrement would overflow";
    static final String NAN_OR_INF = "ERR increment would produce NaN or Infinity";
    static final String SYNTAX = "ERR syntax error";
    static final String NO_SUCH_KEY = "ERR no such key";
    static final String OFFSET_RANGE = "ERR offset is out of range";
    static final String TOO_BIG = "ERR string exceeds maximum allowed size (proto-max-bulk-len)";
    static final String INVALID_CURSOR = "ERR invalid cursor";
    /** getRangeLongFromObjectOrReply's text for LLONG_MIN, which -LONG_MAX..LONG_MAX leaves out. */
    static final String LONG_RANGE = "ERR value is out of range, value must between -9223372036854775807 and"
            + " 9223372036854775807";
    static final String MULTI_NESTED = "ERR MULTI calls can not be nested";
    static final String EXEC_NO_MULTI = "ERR EXEC without MULTI";
    static final String DISCARD_NO_MULTI = "ERR DISCARD without MULTI";
    static final String WATCH_IN_MULTI = "ERR WATCH inside MULTI is not allowed";
    static final String EXECABORT = "EXECABORT Transaction discarded because of previous errors.";
    static final String NOT_IN_MULTI = "ERR Command not allowed inside a transaction";
    static final String OOM = io.qrrot.engine.store.StoreMemoryException.MAXMEMORY_MESSAGE;
    static final String NX_XX_GT_LT = "ERR NX and XX, GT or LT options at the same time are not compatible";
    static final String GT_LT = "ERR GT and LT options at the same time are not compatible";

    // qrrot's own texts, for what Redis has no error for.
    static final String JSON_ROOT = "ERR new objects must be created at the root";
    static final String PUT_TYPE = "ERR unknown type, expected string, int or json";

    private Errors() {
    }

    static String keyTooBig(long maxKeyBytes) {
        return "ERR key is longer than the maximum of " + maxKeyBytes + " bytes (max-key-bytes)";
    }
}
