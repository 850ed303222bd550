package io.qrrot.cli.wal;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code qrrot wal check|dump}: the write-ahead log of a data directory, offline. */
@Command(name = "wal", mixinStandardHelpOptions = true,
        description = {"Check, repair and list a write-ahead log (DIR is a data directory or its wal/ directory).",
                "Exit status: 0 ok, 1 failure (corruption found and not fixed, I/O error), 2 usage."},
        subcommands = {WalCheckCommand.class, WalDumpCommand.class})
public final class WalCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        CommandLine cl = spec.commandLine();
        cl.getErr().println("qrrot wal: missing a command (check, dump)");
        cl.usage(cl.getErr());
        return CommandLine.ExitCode.USAGE;
    }
}
