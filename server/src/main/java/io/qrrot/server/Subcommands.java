package io.qrrot.server;

import io.qrrot.engine.CommandArgs;

/**
 * A container command's subcommands with their arities, checked as Redis 7 checks its subcommand table before
 * the handler runs: an unknown one gets {@code ERR unknown subcommand 'x'. Try CMD HELP.}, a wrong count
 * {@code ERR wrong number of arguments for 'cmd|sub' command}. Arity as in the command table: {@code n} exactly
 * n arguments, {@code -n} at least n, the command's name included. Immutable; lookups allocate nothing.
 */
final class Subcommands {
    private final String[] names;
    private final int[] arities;

    private Subcommands(String[] names, int[] arities) {
        this.names = names;
        this.arities = arities;
    }

    /** @param namesAndArities name, arity, name, arity, ... (names in upper case) */
    static Subcommands of(Object... namesAndArities) {
        int n = namesAndArities.length / 2;
        String[] names = new String[n];
        int[] arities = new int[n];
        for (int i = 0; i < n; i++) {
            names[i] = (String) namesAndArities[2 * i];
            arities[i] = (Integer) namesAndArities[2 * i + 1];
        }
        return new Subcommands(names, arities);
    }

    /** Null when argument 1 names a subcommand and the count fits it, else the error to reply. */
    String refusal(CommandArgs a) {
        for (int i = 0; i < names.length; i++) {
            if (a.is(1, names[i])) {
                return Errors.subcommandArity(a, arities[i]);
            }
        }
        return Errors.unknownSubcommand(a);
    }
}
