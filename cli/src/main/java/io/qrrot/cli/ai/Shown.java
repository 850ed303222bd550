package io.qrrot.cli.ai;

/**
 * Text that comes from outside qrrot (the model's words, names and values it chose, error texts) made safe to
 * print next to qrrot's own lines: control characters and bidirectional-text controls are written as escapes,
 * so such text can neither move the cursor, clear or overwrite a line, reorder what is shown, nor start a line
 * of its own that could pass for one of qrrot's.
 */
final class Shown {
    /** What every line of the model's own words starts with. */
    static final String MODEL = "model:";

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private Shown() {
    }

    /**
     * The model's text, each of its lines labelled {@code model: …} ({@code model:} alone for an empty line).
     * A carriage return ends a line like a newline does; other control characters are escaped.
     */
    static String modelText(String text) {
        String[] lines = text.strip().split("\r\n|\n|\r", -1);
        StringBuilder sb = new StringBuilder();
        for (String line : lines) {
            if (!sb.isEmpty()) {
                sb.append('\n');
            }
            String safe = escaped(line.stripTrailing(), false);
            sb.append(MODEL);
            if (!safe.isEmpty()) {
                sb.append(' ').append(safe);
            }
        }
        return sb.toString();
    }

    /** {@code s} on one line: newlines, tabs and every other control character escaped. */
    static String oneLine(String s) {
        return escaped(s, true);
    }

    private static String escaped(String s, boolean escapeTabs) {
        StringBuilder sb = null;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            int n = Character.charCount(cp);
            String esc = escape(cp, escapeTabs);
            if (esc != null && sb == null) {
                sb = new StringBuilder(s.length() + 8).append(s, 0, i);
            }
            if (sb != null) {
                if (esc != null) {
                    sb.append(esc);
                } else {
                    sb.appendCodePoint(cp);
                }
            }
            i += n;
        }
        return sb == null ? s : sb.toString();
    }

    private static String escape(int cp, boolean escapeTabs) {
        switch (cp) {
            case '\n':
                return "\\n";
            case '\r':
                return "\\r";
            case '\t':
                return escapeTabs ? "\\t" : null;
            default:
                break;
        }
        if (Character.getType(cp) == Character.CONTROL) {
            return "\\x" + HEX[(cp >> 4) & 0xf] + HEX[cp & 0xf];
        }
        if (cp == 0x061C || cp == 0x200E || cp == 0x200F || (cp >= 0x202A && cp <= 0x202E)
                || (cp >= 0x2066 && cp <= 0x2069)) {
            return "\\u" + HEX[(cp >> 12) & 0xf] + HEX[(cp >> 8) & 0xf] + HEX[(cp >> 4) & 0xf] + HEX[cp & 0xf];
        }
        return null;
    }
}
