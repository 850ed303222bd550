package io.qrrot.cli.serve;

import java.util.Locale;

/** Sizes as Redis writes them in its config: {@code 100}, {@code 1k}, {@code 1kb}, {@code 64mb}, {@code 2gb}. */
final class Sizes {
    private Sizes() {
    }

    static long parse(String option, String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        long unit = 1;
        String[][] units = {{"kb", "1024"}, {"mb", "1048576"}, {"gb", "1073741824"}, {"k", "1000"},
                {"m", "1000000"}, {"g", "1000000000"}, {"b", "1"}};
        for (String[] u : units) {
            if (t.endsWith(u[0])) {
                unit = Long.parseLong(u[1]);
                t = t.substring(0, t.length() - u[0].length());
                break;
            }
        }
        try {
            long n = Long.parseLong(t);
            if (n < 0) {
                throw new NumberFormatException();
            }
            return Math.multiplyExact(n, unit);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException(option + " must be a size such as 1048576, 64mb or 2gb, not '" + text + "'");
        }
    }
}
