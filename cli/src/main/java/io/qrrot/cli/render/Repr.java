package io.qrrot.cli.render;

/**
 * redis-cli's quoting of a binary string: in double quotes, {@code \\ \" \n \r \t \a \b} escaped, printable
 * ASCII as is, every other byte as {@code \xhh}.
 */
public final class Repr {
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private Repr() {
    }

    public static String quote(byte[] bytes) {
        StringBuilder sb = new StringBuilder(bytes.length + 2);
        appendQuoted(sb, bytes);
        return sb.toString();
    }

    public static void appendQuoted(StringBuilder sb, byte[] bytes) {
        sb.append('"');
        for (byte b : bytes) {
            int c = b & 0xff;
            switch (c) {
                case '\\' -> sb.append("\\\\");
                case '"' -> sb.append("\\\"");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case 7 -> sb.append("\\a");
                case '\b' -> sb.append("\\b");
                default -> {
                    if (c >= 0x20 && c <= 0x7e) {
                        sb.append((char) c);
                    } else {
                        sb.append("\\x").append(HEX[c >> 4]).append(HEX[c & 0xf]);
                    }
                }
            }
        }
        sb.append('"');
    }

    /**
     * An argument as a user would type it back into the REPL: bare when it is plain printable ASCII without
     * spaces or quotes, else quoted as {@link #quote}.
     */
    public static String arg(byte[] bytes) {
        if (bytes.length == 0) {
            return "\"\"";
        }
        for (byte b : bytes) {
            int c = b & 0xff;
            if (c <= 0x20 || c >= 0x7f || c == '"' || c == '\'' || c == '\\') {
                return quote(bytes);
            }
        }
        return new String(bytes, java.nio.charset.StandardCharsets.US_ASCII);
    }
}
