package io.qrrot.engine;

/**
 * The arguments ZMPOP, BZMPOP, LMPOP and BLMPOP share, read in Redis's order: numkeys, the side (MIN|MAX,
 * LEFT|RIGHT) after the keys, then an optional COUNT. One per {@link Ctx}; not thread-safe.
 */
final class MultiPop {
    /** The argument index of the side word; the keys are the arguments between numkeys and it. */
    int where;
    /** True when the side word was the second of the two (MAX, RIGHT). */
    boolean second;
    /** How many elements to pop (1 without COUNT). */
    long count;

    /**
     * Reads the arguments after {@code numkeysArg}; false with the error replied when they are not valid.
     *
     * @param first  the first side word, upper case ("MIN", "LEFT")
     * @param other  the second ("MAX", "RIGHT")
     */
    boolean parse(Ctx c, int numkeysArg, String first, String other) {
        if (!c.parseLong(numkeysArg) || c.num.get() < 1) {
            c.out.error(ZSetCommands.NUMKEYS);
            return false;
        }
        long whereIdx = numkeysArg + c.num.get() + 1;
        if (whereIdx >= c.argc()) {
            c.out.error(Errors.SYNTAX);
            return false;
        }
        where = (int) whereIdx;
        if (c.argIs(where, first)) {
            second = false;
        } else if (c.argIs(where, other)) {
            second = true;
        } else {
            c.out.error(Errors.SYNTAX);
            return false;
        }
        count = -1;
        for (int j = where + 1; j < c.argc(); j++) {
            boolean more = c.argc() - 1 - j > 0;
            if (count == -1 && c.argIs(j, "COUNT") && more) {
                j++;
                if (!c.parseLong(j) || c.num.get() < 1) {
                    c.out.error(ZSetCommands.COUNT_POSITIVE);
                    return false;
                }
                count = c.num.get();
            } else {
                c.out.error(Errors.SYNTAX);
                return false;
            }
        }
        if (count == -1) {
            count = 1;
        }
        return true;
    }
}
