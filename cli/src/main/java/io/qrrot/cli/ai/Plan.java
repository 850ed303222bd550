package io.qrrot.cli.ai;

import io.qrrot.cli.render.Repr;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A checked write proposal: the commands exactly as they will run, the keys whose reads they rely on, and
 * the model's explanation. Immutable.
 */
public record Plan(List<List<String>> commands, List<String> watchedKeys, String explanation) {

    public Plan {
        List<List<String>> copy = new ArrayList<>(commands.size());
        for (List<String> c : commands) {
            copy.add(List.copyOf(c));
        }
        commands = List.copyOf(copy);
        watchedKeys = List.copyOf(watchedKeys);
        explanation = explanation == null ? "" : explanation;
    }

    /** A command as the user would type it in the REPL: plain words bare, anything else quoted. */
    public static String display(List<String> command) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < command.size(); i++) {
            if (i > 0) {
                sb.append(' ');
            }
            sb.append(Repr.arg(command.get(i).getBytes(StandardCharsets.UTF_8)));
        }
        return sb.toString();
    }

    /**
     * The box the user confirms: every command numbered, in full (long arguments are not shortened: what is
     * shown is what runs), then the keys whose change aborts the plan.
     */
    public String box() {
        List<String> lines = new ArrayList<>();
        int width = Integer.toString(commands.size()).length();
        for (int i = 0; i < commands.size(); i++) {
            String n = Integer.toString(i + 1);
            lines.add(" ".repeat(width - n.length()) + n + ". " + display(commands.get(i)));
        }
        String title = " Proposed writes (" + commands.size() + (commands.size() == 1 ? " command" : " commands")
                + ", run atomically) ";
        String footer = watchedKeys.isEmpty()
                ? " Runs as one MULTI/EXEC transaction. "
                : " Aborts if any of these keys changed since read: " + keyList(watchedKeys) + " ";
        int inner = Math.max(title.length(), footer.length());
        for (String l : lines) {
            inner = Math.max(inner, l.length() + 2);
        }
        StringBuilder sb = new StringBuilder();
        sb.append('+').append(title).append("-".repeat(inner - title.length())).append("+\n");
        for (String l : lines) {
            sb.append("| ").append(l).append(" ".repeat(inner - l.length() - 2)).append(" |\n");
        }
        sb.append('+').append(footer).append("-".repeat(inner - footer.length())).append("+\n");
        return sb.toString();
    }

    /** Key names as the REPL would take them, the first five, then how many more. */
    static String keyList(List<String> watchedKeys) {
        int shown = Math.min(watchedKeys.size(), 5);
        List<String> names = new ArrayList<>();
        for (String k : watchedKeys.subList(0, shown)) {
            names.add(Repr.arg(k.getBytes(StandardCharsets.UTF_8)));
        }
        String list = String.join(", ", names);
        return shown < watchedKeys.size() ? list + " and " + (watchedKeys.size() - shown) + " more" : list;
    }
}
