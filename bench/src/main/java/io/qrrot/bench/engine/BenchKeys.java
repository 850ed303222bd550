package io.qrrot.bench.engine;

import io.qrrot.engine.CommandArgs;

/** Builds commands into a reused {@link CommandArgs} without allocating: names, {@code key:<n>}, values. */
final class BenchKeys {
    static final byte[] GET = {'G', 'E', 'T'};
    static final byte[] SET = {'S', 'E', 'T'};
    static final byte[] INCR = {'I', 'N', 'C', 'R'};
    private static final byte[] PREFIX = {'k', 'e', 'y', ':'};

    private BenchKeys() {
    }

    /** Appends the argument {@code key:<n>} (n >= 0). */
    static void addKey(CommandArgs args, long n) {
        int digits = 1;
        for (long v = n; v >= 10; v /= 10) {
            digits++;
        }
        int len = PREFIX.length + digits;
        int at = args.reserve(len);
        byte[] a = args.array();
        System.arraycopy(PREFIX, 0, a, at, PREFIX.length);
        long v = n;
        for (int i = at + len - 1; i >= at + PREFIX.length; i--) {
            a[i] = (byte) ('0' + (v % 10));
            v /= 10;
        }
    }

    /** Appends a 16-byte value that is not an integer text, varied by {@code n}. */
    static void addValue(CommandArgs args, long n) {
        int at = args.reserve(16);
        byte[] a = args.array();
        for (int i = 0; i < 16; i++) {
            a[at + i] = (byte) ('a' + ((n >>> (i * 4)) & 15));
        }
    }
}
