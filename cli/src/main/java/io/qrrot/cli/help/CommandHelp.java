package io.qrrot.cli.help;

import io.qrrot.engine.CommandSpec;
import java.util.Locale;

/**
 * What the REPL knows about one command: for {@code help}, completion and hints.
 *
 * @param name    upper case, may contain a space for a subcommand ({@code "CONFIG GET"})
 * @param syntax  arguments after the name, e.g. {@code "key value [NX|XX]"}; empty for none
 * @param summary one sentence
 * @param group   command group, e.g. {@code "string"}
 */
public record CommandHelp(String name, String syntax, String summary, String group) {

    public CommandHelp {
        name = name.toUpperCase(Locale.ROOT);
    }

    /** The engine's command table row as help (what the embedded mode and the server will provide). */
    public static CommandHelp of(CommandSpec spec) {
        return new CommandHelp(spec.name(), spec.syntax(), spec.summary(), spec.group());
    }
}
