package io.qrrot.cli.help;

import io.qrrot.engine.CommandSpec;
import io.qrrot.server.CommandList;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The commands the REPL offers in {@code help}, completion and hints, by name. Immutable.
 *
 * <p>Built from the qrrot server's command table ({@link #builtin()}), from a server's {@code COMMAND DOCS}
 * ({@link CommandDocs}) or from a database's command table ({@link #fromSpecs}).
 */
public final class CommandCatalog {
    private final Map<String, CommandHelp> byName;

    private CommandCatalog(Collection<CommandHelp> commands) {
        Map<String, CommandHelp> m = new TreeMap<>();
        for (CommandHelp c : commands) {
            m.put(c.name(), c);
        }
        this.byName = Collections.unmodifiableMap(m);
    }

    public static CommandCatalog of(Collection<CommandHelp> commands) {
        return new CommandCatalog(commands);
    }

    /**
     * The commands a qrrot server answers, known without asking one: the rows of the server's own command
     * table ({@link CommandList}), the same rows its COMMAND DOCS describes.
     */
    public static CommandCatalog builtin() {
        return fromSpecs(CommandList.all());
    }

    public static CommandCatalog fromSpecs(List<CommandSpec> specs) {
        List<CommandHelp> list = new ArrayList<>(specs.size());
        for (CommandSpec s : specs) {
            list.add(CommandHelp.of(s));
        }
        return new CommandCatalog(list);
    }

    /** This catalog with {@code other}'s entries added; {@code other} wins where both know a command. */
    public CommandCatalog merge(CommandCatalog other) {
        Map<String, CommandHelp> m = new TreeMap<>(byName);
        m.putAll(other.byName);
        return new CommandCatalog(m.values());
    }

    /** Looks a command up by name, any case; {@code "config get"} finds the subcommand entry. */
    public Optional<CommandHelp> find(String name) {
        return Optional.ofNullable(byName.get(name.toUpperCase(Locale.ROOT)));
    }

    /** All commands, sorted by name. */
    public Collection<CommandHelp> all() {
        return byName.values();
    }

    /** Top-level command names (first word), sorted. */
    public List<String> names() {
        TreeSet<String> names = new TreeSet<>();
        for (String n : byName.keySet()) {
            int sp = n.indexOf(' ');
            names.add(sp < 0 ? n : n.substring(0, sp));
        }
        return List.copyOf(names);
    }

    /** Group names, sorted. */
    public List<String> groups() {
        TreeSet<String> g = new TreeSet<>();
        for (CommandHelp c : byName.values()) {
            g.add(c.group());
        }
        return List.copyOf(g);
    }

    public List<CommandHelp> inGroup(String group) {
        List<CommandHelp> out = new ArrayList<>();
        for (CommandHelp c : byName.values()) {
            if (c.group().equalsIgnoreCase(group)) {
                out.add(c);
            }
        }
        return out;
    }

    /**
     * The command a typed line refers to: the longest catalog name matching its first one or two words
     * ({@code CONFIG GET} before {@code CONFIG}).
     */
    public Optional<CommandHelp> match(List<String> words) {
        if (words.isEmpty()) {
            return Optional.empty();
        }
        if (words.size() >= 2) {
            Optional<CommandHelp> two = find(words.get(0) + " " + words.get(1));
            if (two.isPresent()) {
                return two;
            }
        }
        return find(words.get(0));
    }

    public int size() {
        return byName.size();
    }
}
