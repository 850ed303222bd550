package io.qrrot.server;

import io.qrrot.engine.CommandArgs;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/** Error replies whose text must match Redis' byte for byte (clients and tests compare them). */
final class Errors {
    static final String SYNTAX = "ERR syntax error";
    static final String NOT_INTEGER = "ERR value is not an integer or out of range";

    private Errors() {
    }

    /**
     * Redis' {@code unknown command 'name', with args beginning with: 'a' 'b' } — the name cut at 128 bytes,
     * arguments quoted and appended while the list is shorter than 128 bytes, each cut to what is left.
     */
    static String unknownCommand(CommandArgs args) {
        StringBuilder list = new StringBuilder();
        int listBytes = 0;
        for (int i = 1; i < args.count() && listBytes < 128; i++) {
            String a = cString(args, i, 128 - listBytes);
            list.append('\'').append(a).append("' ");
            listBytes += a.length() + 3;
        }
        return utf8("ERR unknown command '" + cString(args, 0, 128) + "', with args beginning with: " + list);
    }

    static String wrongArity(String fullName) {
        return "ERR wrong number of arguments for '" + fullName + "' command";
    }

    /**
     * A subcommand's arity checked as Redis 7 checks its subcommand table ({@code n}: exactly n arguments,
     * {@code -n}: at least n, the command's name included); the error names {@code command|subcommand}.
     *
     * @return null when the count fits, else the error text
     */
    static String subcommandArity(CommandArgs args, int arity) {
        int n = args.count();
        if (arity > 0 ? n == arity : n >= -arity) {
            return null;
        }
        return wrongArity(args.string(0).toLowerCase(Locale.ROOT) + "|" + args.string(1).toLowerCase(Locale.ROOT));
    }

    /** Redis' reply when a known subcommand's handler refuses its arguments. */
    static String subcommandSyntax(CommandArgs args) {
        return utf8("ERR unknown subcommand or wrong number of arguments for '" + cString(args, 1, 128) + "'. Try "
                + args.string(0).toUpperCase(Locale.ROOT) + " HELP.");
    }

    /** For a container command: {@code unknown subcommand 'x'. Try CLIENT HELP.} */
    static String unknownSubcommand(CommandArgs args) {
        return utf8("ERR unknown subcommand '" + cString(args, 1, 128) + "'. Try "
                + args.string(0).toUpperCase(Locale.ROOT) + " HELP.");
    }

    /** Argument {@code i} as C's {@code %.Ns} prints it: up to a NUL byte, at most {@code max} bytes (Latin-1 view). */
    private static String cString(CommandArgs args, int i, int max) {
        byte[] a = args.array();
        int off = args.offset(i);
        int len = Math.min(args.length(i), Math.max(0, max));
        for (int k = 0; k < len; k++) {
            if (a[off + k] == 0) {
                len = k;
                break;
            }
        }
        return new String(a, off, len, StandardCharsets.ISO_8859_1);
    }

    /** Turns a Latin-1 view of raw bytes back into text (valid UTF-8 comes out as written). */
    private static String utf8(String latin1View) {
        return new String(latin1View.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
    }
}
