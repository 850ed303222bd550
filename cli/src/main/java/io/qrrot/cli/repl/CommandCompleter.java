package io.qrrot.cli.repl;

import io.qrrot.cli.help.CommandCatalog;
import io.qrrot.cli.help.CommandHelp;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jline.reader.Candidate;
import org.jline.reader.Completer;
import org.jline.reader.LineReader;
import org.jline.reader.ParsedLine;

/**
 * Tab completion: command names (and the REPL's own words) for the first word, help topics after
 * {@code help}, and the option tokens of the command's syntax ({@code NX}, {@code EX} …) after that.
 * Candidates follow the case the user started typing in.
 */
final class CommandCompleter implements Completer {
    static final List<String> REPL_WORDS = List.of("HELP", "QUIT", "EXIT", "CLEAR", "AI");
    private static final Pattern TOKEN = Pattern.compile("\\b[A-Z][A-Z0-9_-]+\\b");

    private final Supplier<CommandCatalog> catalog;

    CommandCompleter(Supplier<CommandCatalog> catalog) {
        this.catalog = catalog;
    }

    @Override
    public void complete(LineReader reader, ParsedLine line, List<Candidate> candidates) {
        CommandCatalog cat = catalog.get();
        boolean lower = !line.word().isEmpty() && Character.isLowerCase(line.word().charAt(0));
        if (line.wordIndex() == 0) {
            for (String name : cat.names()) {
                String summary = cat.find(name).map(CommandHelp::summary).orElse(null);
                candidates.add(candidate(name, lower, summary));
            }
            for (String w : REPL_WORDS) {
                candidates.add(candidate(w, lower, null));
            }
            return;
        }
        List<String> words = line.words();
        String first = words.get(0);
        if (first.equalsIgnoreCase("help") || first.equals("?")) {
            if (line.wordIndex() == 1) {
                for (String name : cat.names()) {
                    candidates.add(candidate(name, lower, null));
                }
                for (String g : cat.groups()) {
                    candidates.add(new Candidate("@" + g));
                }
            }
            return;
        }
        Optional<CommandHelp> cmd = cat.match(words.subList(0, line.wordIndex()));
        if (cmd.isEmpty()) {
            return;
        }
        if (line.wordIndex() == 1 && !cmd.get().name().contains(" ")) {
            // Subcommands: CONFIG <tab> → GET, SET …
            String prefix = cmd.get().name() + " ";
            for (CommandHelp c : cat.all()) {
                if (c.name().startsWith(prefix)) {
                    candidates.add(candidate(c.name().substring(prefix.length()), lower, c.summary()));
                }
            }
        }
        Set<String> tokens = new LinkedHashSet<>();
        Matcher m = TOKEN.matcher(cmd.get().syntax());
        while (m.find()) {
            tokens.add(m.group());
        }
        for (String t : tokens) {
            candidates.add(candidate(t, lower, null));
        }
    }

    private static Candidate candidate(String value, boolean lower, String descr) {
        String v = lower ? value.toLowerCase(Locale.ROOT) : value;
        return new Candidate(v, v, null, descr, null, null, true);
    }
}
