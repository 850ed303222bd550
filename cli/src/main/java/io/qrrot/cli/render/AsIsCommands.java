package io.qrrot.cli.render;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The commands whose reply is a text meant to be read as it is (INFO, CLIENT LIST …): redis-cli 7.0 prints
 * their reply raw, without quotes or a type prefix, whatever the output mode (its {@code cliSendCommand}
 * list, copied here).
 */
final class AsIsCommands {
    private AsIsCommands() {
    }

    /** True when redis-cli prints the reply to {@code command} (name and arguments) as it is. */
    static boolean printsAsIs(List<byte[]> command) {
        if (command.isEmpty()) {
            return false;
        }
        int argc = command.size();
        String name = word(command, 0);
        String sub = argc >= 2 ? word(command, 1) : "";
        return switch (name) {
            case "info", "lolwut" -> true;
            case "debug" -> argc >= 2 && (sub.equals("htstats") || sub.equals("htstats-key")
                    || sub.equals("client-eviction"));
            case "memory" -> argc >= 2 && (sub.equals("malloc-stats") || sub.equals("doctor"));
            case "cluster" -> argc == 2 && (sub.equals("nodes") || sub.equals("info"));
            case "client" -> argc >= 2 && (sub.equals("list") || sub.equals("info"));
            case "latency" -> argc == 3 && sub.equals("graph") || argc == 2 && sub.equals("doctor");
            case "proxy" -> argc >= 2 && sub.equals("info");
            default -> false;
        };
    }

    private static String word(List<byte[]> command, int i) {
        byte[] b = command.get(i);
        return b.length > 16 ? "" : new String(b, StandardCharsets.ISO_8859_1).toLowerCase(java.util.Locale.ROOT);
    }
}
