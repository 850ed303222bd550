package io.qrrot.cli;

import io.qrrot.cli.client.AiCommand;
import io.qrrot.cli.client.ClientCommand;
import io.qrrot.cli.cluster.ClusterCommand;
import io.qrrot.cli.serve.ServeCommand;
import io.qrrot.cli.snapshot.SnapshotCommand;
import io.qrrot.cli.wal.WalCommand;
import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The {@code qrrot} command. Subcommands are picocli {@code @Command} classes listed below; a subcommand
 * gets the {@link CliContext} when it has a public constructor taking one (see {@link ContextFactory}).
 *
 * <p><b>Adding a verb</b> ({@code serve}, {@code snapshot …}, {@code wal …}): write the class in its own
 * package under {@code io.qrrot.cli}, implement {@code Callable<Integer>} (0 ok, 1 failure; picocli answers
 * usage errors with 2), print results to {@code ctx.out()} and everything else to {@code ctx.err()}, and add
 * it to {@code subcommands} here.
 */
@Command(name = "qrrot", mixinStandardHelpOptions = true, versionProvider = Version.class, sortOptions = false,
        description = "A durable in-memory key-value database for the JVM.",
        subcommands = {
                ServeCommand.class,
                ClientCommand.class,
                AiCommand.class,
                ClusterCommand.class,
                SnapshotCommand.class,
                WalCommand.class,
                AutoComplete.GenerateCompletion.class
        })
public final class QrrotCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        CommandLine cl = spec.commandLine();
        cl.getErr().println("qrrot: missing a command");
        cl.usage(cl.getErr());
        return CommandLine.ExitCode.USAGE;
    }
}
