package io.qrrot.cli.repl;

import java.time.Instant;
import java.util.Locale;
import org.jline.reader.impl.history.DefaultHistory;

/** JLine's file history, minus blank lines and lines that carry a password ({@code AUTH …}, {@code HELLO … AUTH …}). */
final class ReplHistory extends DefaultHistory {

    @Override
    public void add(Instant time, String line) {
        if (!line.isBlank() && !holdsSecret(line)) {
            super.add(time, line);
        }
    }

    static boolean holdsSecret(String line) {
        ArgSplitter.Result r = ArgSplitter.split(line);
        if (r.tokens().isEmpty()) {
            return false;
        }
        String first = r.tokens().get(0).text().toUpperCase(Locale.ROOT);
        if (first.equals("AUTH")) {
            return true;
        }
        if (first.equals("HELLO")) {
            for (ArgSplitter.Token t : r.tokens()) {
                if (t.text().equalsIgnoreCase("AUTH")) {
                    return true;
                }
            }
        }
        return false;
    }
}
