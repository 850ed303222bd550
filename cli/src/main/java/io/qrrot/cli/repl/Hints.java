package io.qrrot.cli.repl;

import io.qrrot.cli.help.CommandCatalog;
import io.qrrot.cli.help.CommandHelp;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import org.jline.reader.LineReader;
import org.jline.reader.Widget;
import org.jline.reader.impl.LineReaderImpl;

/**
 * redis-cli style hints: after a command name, the rest of its syntax is shown greyed out behind the cursor
 * ({@code SET k } shows {@code value [NX|XX] …}). Implemented as JLine's tail tip, refreshed after each edit.
 */
final class Hints {
    private static final List<String> EDIT_WIDGETS = List.of(LineReader.SELF_INSERT, LineReader.BACKWARD_DELETE_CHAR,
            LineReader.DELETE_CHAR, LineReader.BACKWARD_KILL_WORD, LineReader.KILL_WORD, LineReader.KILL_LINE,
            LineReader.KILL_WHOLE_LINE, LineReader.YANK, LineReader.UP_LINE_OR_HISTORY,
            LineReader.DOWN_LINE_OR_HISTORY, LineReader.COMPLETE_WORD, LineReader.EXPAND_OR_COMPLETE,
            LineReader.MENU_COMPLETE);

    private Hints() {
    }

    /**
     * @param promptWidth the width of the prompt currently shown, so a hint never wraps (a wrapped tail tip
     *                    garbles the line on real terminals)
     */
    static void install(LineReaderImpl reader, Supplier<CommandCatalog> catalog, IntSupplier promptWidth) {
        reader.setAutosuggestion(LineReader.SuggestionType.TAIL_TIP);
        for (String name : EDIT_WIDGETS) {
            Widget builtin = reader.getBuiltinWidgets().get(name);
            if (builtin == null) {
                continue;
            }
            reader.getWidgets().put(name, () -> {
                boolean r = builtin.apply();
                String buffer = reader.getBuffer().toString();
                int room = reader.getTerminal().getWidth() - promptWidth.getAsInt() - buffer.length() - 1;
                reader.setTailTip(fit(hint(buffer, catalog.get()), room));
                return r;
            });
        }
        Widget accept = reader.getBuiltinWidgets().get(LineReader.ACCEPT_LINE);
        reader.getWidgets().put(LineReader.ACCEPT_LINE, () -> {
            reader.setTailTip("");
            return accept.apply();
        });
    }

    /** The hint cut to {@code room} columns (ending in "…" when cut); "" when there is no room. */
    static String fit(String hint, int room) {
        if (hint.length() <= room) {
            return hint;
        }
        return room < 4 ? "" : hint.substring(0, room - 1) + "…";
    }

    /** The hint for a buffer, or "" when there is none. */
    static String hint(String buffer, CommandCatalog catalog) {
        ArgSplitter.Result r = ArgSplitter.split(buffer);
        if (!r.ok() || r.tokens().isEmpty()) {
            return "";
        }
        List<String> words = r.words();
        Optional<CommandHelp> cmd = catalog.match(words);
        if (cmd.isEmpty() || cmd.get().syntax().isEmpty()) {
            return "";
        }
        int nameWords = cmd.get().name().split(" ").length;
        if (words.size() < nameWords) {
            return "";
        }
        boolean endsWithSpace = Character.isWhitespace(buffer.charAt(buffer.length() - 1));
        int typedArgs = words.size() - nameWords;
        List<String> items = items(cmd.get().syntax());
        if (typedArgs >= items.size()) {
            return "";
        }
        String rest = String.join(" ", items.subList(typedArgs, items.size()));
        return endsWithSpace ? rest : " " + rest;
    }

    /** Top-level items of a syntax line: {@code key value [NX|XX] [EX seconds|PX ms]} → 4 items. */
    static List<String> items(String syntax) {
        List<String> out = new ArrayList<>();
        int depth = 0;
        StringBuilder cur = new StringBuilder();
        for (char c : syntax.toCharArray()) {
            if (c == '[') {
                depth++;
            } else if (c == ']') {
                depth--;
            }
            if (c == ' ' && depth == 0) {
                if (cur.length() > 0) {
                    out.add(cur.toString());
                    cur.setLength(0);
                }
            } else {
                cur.append(c);
            }
        }
        if (cur.length() > 0) {
            out.add(cur.toString());
        }
        return out;
    }
}
