package io.qrrot.cli.help;

import io.qrrot.cli.resp.Reply;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads a {@code COMMAND DOCS} reply (RESP3 map or RESP2 flat array) into help entries, rendering each
 * command's argument tree as a syntax line the way redis-cli does: {@code key value [NX|XX] [EX seconds|PX
 * milliseconds]}. Subcommands ({@code CONFIG GET}) become entries of their own.
 */
public final class CommandDocs {
    private CommandDocs() {
    }

    /** The entries of a COMMAND DOCS reply; empty when the reply is an error or has no usable shape. */
    public static List<CommandHelp> parse(Reply reply) {
        List<CommandHelp> out = new ArrayList<>();
        for (Reply.Entry e : pairs(reply)) {
            text(e.key()).ifPresent(name -> addCommand(out, name, e.value()));
        }
        return out;
    }

    private static void addCommand(List<CommandHelp> out, String name, Reply doc) {
        String summary = "";
        String group = "";
        String syntax = "";
        Reply subcommands = null;
        for (Reply.Entry f : pairs(doc)) {
            String field = text(f.key()).orElse("");
            switch (field) {
                case "summary" -> summary = text(f.value()).orElse("");
                case "group" -> group = text(f.value()).orElse("");
                case "arguments" -> syntax = syntax(f.value());
                case "subcommands" -> subcommands = f.value();
                default -> {
                    // since, complexity, history, doc_flags: not shown
                }
            }
        }
        if (subcommands != null) {
            for (Reply.Entry s : pairs(subcommands)) {
                // Subcommand names come as "config|get".
                text(s.key()).ifPresent(sub -> addCommand(out, sub.replace('|', ' '), s.value()));
            }
        }
        if (!name.contains("|")) {
            out.add(new CommandHelp(name.replace('|', ' '), syntax, summary, group));
        }
    }

    /** Renders an "arguments" array as a syntax line. */
    static String syntax(Reply arguments) {
        List<String> parts = new ArrayList<>();
        for (Reply a : arguments.elements()) {
            String s = argument(a);
            if (!s.isEmpty()) {
                parts.add(s);
            }
        }
        return String.join(" ", parts);
    }

    private static String argument(Reply arg) {
        String name = "";
        String type = "";
        String token = null;
        boolean optional = false;
        boolean multiple = false;
        boolean multipleToken = false;
        Reply children = null;
        for (Reply.Entry f : pairs(arg)) {
            String field = text(f.key()).orElse("");
            switch (field) {
                case "name" -> name = text(f.value()).orElse("");
                case "type" -> type = text(f.value()).orElse("");
                case "token" -> token = text(f.value()).orElse(null);
                case "arguments" -> children = f.value();
                case "flags" -> {
                    for (Reply flag : flagList(f.value())) {
                        String fl = text(flag).orElse("");
                        optional |= fl.equals("optional");
                        multiple |= fl.equals("multiple");
                        multipleToken |= fl.equals("multiple_token");
                    }
                }
                default -> {
                }
            }
        }
        String value;
        switch (type) {
            case "pure-token" -> value = token == null ? name : token;
            case "oneof" -> {
                List<String> alts = new ArrayList<>();
                if (children != null) {
                    for (Reply c : children.elements()) {
                        alts.add(argument(c));
                    }
                }
                value = String.join("|", alts);
                if (token != null) {
                    value = token + " " + value;
                }
            }
            case "block" -> {
                value = children == null ? name : syntax(children);
                if (token != null) {
                    value = token + " " + value;
                }
            }
            default -> value = token == null ? name : token + " " + name;
        }
        if (multiple) {
            String repeated = multipleToken || token == null ? value : value.substring(token.length() + 1);
            value = value + " [" + repeated + " ...]";
        }
        return optional ? "[" + value + "]" : value;
    }

    private static List<Reply> flagList(Reply r) {
        if (r instanceof Reply.SimpleString || r instanceof Reply.BulkString) {
            return List.of(r);
        }
        return r.elements();
    }

    /** Key/value pairs of a RESP3 map, or of a RESP2 flat array [k, v, k, v …]. */
    static List<Reply.Entry> pairs(Reply r) {
        if (r instanceof Reply.MapReply m) {
            return m.entries();
        }
        List<Reply> flat = r.elements();
        List<Reply.Entry> out = new ArrayList<>(flat.size() / 2);
        for (int i = 0; i + 1 < flat.size(); i += 2) {
            out.add(new Reply.Entry(flat.get(i), flat.get(i + 1)));
        }
        return out;
    }

    static Optional<String> text(Reply r) {
        if (r instanceof Reply.BulkString b) {
            return Optional.of(new String(b.bytes(), StandardCharsets.UTF_8));
        }
        if (r instanceof Reply.SimpleString s) {
            return Optional.of(s.value());
        }
        if (r instanceof Reply.VerbatimReply v) {
            return Optional.of(v.text());
        }
        return Optional.empty();
    }

}
