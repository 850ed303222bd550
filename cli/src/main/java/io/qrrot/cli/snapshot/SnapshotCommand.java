package io.qrrot.cli.snapshot;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code qrrot snapshot status|verify|dump|save|restore}: snapshot files, for backups and their checks. */
@Command(name = "snapshot", mixinStandardHelpOptions = true,
        description = {"Inspect, check, list, save and restore snapshot files (QRRT): backups of a data directory.",
                "Exit status: 0 ok, 1 failure (corrupt file, refused, I/O error), 2 usage."},
        subcommands = {SnapshotStatusCommand.class, SnapshotVerifyCommand.class, SnapshotDumpCommand.class,
                SnapshotSaveCommand.class, SnapshotRestoreCommand.class})
public final class SnapshotCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        CommandLine cl = spec.commandLine();
        cl.getErr().println("qrrot snapshot: missing a command (status, verify, dump, save, restore)");
        cl.usage(cl.getErr());
        return CommandLine.ExitCode.USAGE;
    }
}
