package io.qrrot.cli.snapshot;

import io.qrrot.cli.CliContext;
import io.qrrot.cli.client.ConnectionOptions;
import io.qrrot.cli.ops.ProgressBars;
import io.qrrot.cli.ops.Problems;
import io.qrrot.cli.ops.Reports;
import io.qrrot.recovery.DataTools;
import io.qrrot.recovery.QrrotOptions;
import io.qrrot.recovery.snapshot.SnapshotInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code qrrot snapshot save [-h HOST] [-p PORT] [-a PASS] FILE} (from a running server) and
 * {@code qrrot snapshot save --wal DIR FILE} (from an offline data directory): a consistent snapshot written
 * to FILE as {@code FILE.part} → fsync → verify → rename → fsync of the directory.
 */
@Command(name = "save", sortOptions = false,
        description = {"Write a consistent snapshot of a running server (or, with --wal, of an offline data "
                + "directory) to FILE: a backup that snapshot restore turns back into a data directory.",
                "The file is written as FILE.part, synced, verified in full and only then renamed to FILE.",
                "Exit status: 0 saved and verified, 1 failure, 2 usage."})
public final class SnapshotSaveCommand implements Callable<Integer> {
    private static final String VERB = "qrrot snapshot save";
    private final CliContext ctx;

    @Spec
    CommandSpec spec;

    @Mixin
    ConnectionOptions connection;

    @Option(names = "--wal", paramLabel = "DIR",
            description = "Save from this offline data directory (opened here: no server may have it open) "
                    + "instead of from a server.")
    Path wal;

    @Option(names = "--force", description = "Replace FILE if it exists.")
    boolean force;

    @Option(names = "--json", description = "Print the saved snapshot's report as one JSON object.")
    boolean json;

    @Option(names = "--help", usageHelp = true, description = "Show this help and exit.")
    boolean help;

    @Parameters(paramLabel = "FILE", description = "Where to write the snapshot.")
    Path file;

    public SnapshotSaveCommand(CliContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() {
        if (wal != null) {
            ConnectionOptions.refuseServerOptionsWith(spec.commandLine(), VERB, "--wal");
        }
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null && !Files.isDirectory(parent)) {
            ctx.err().println(VERB + ": no such directory: " + parent + " (create it first)");
            return 1;
        }
        if (!force && Files.exists(file)) {
            ctx.err().println(VERB + ": " + file + " exists; choose another name, or pass --force to replace it");
            return 1;
        }
        SnapshotInfo saved;
        try {
            saved = wal != null ? fromDirectory() : fromServer();
        } catch (IOException e) {
            ctx.err().println(VERB + ": " + Problems.describe(e));
            if (json) {
                ctx.out().println(Reports.jsonError(file, Problems.describe(e)));
            }
            return 1;
        }
        if (json) {
            ctx.out().println(saved.toJson());
        } else {
            Reports.lines(saved).forEach(ctx.out()::println);
        }
        return 0;
    }

    private SnapshotInfo fromDirectory() throws IOException {
        try (ProgressBars progress = ProgressBars.records(ctx, "verify")) {
            return DataTools.saveOffline(wal, QrrotOptions.defaults(), file, force, progress);
        }
    }

    private SnapshotInfo fromServer() throws IOException {
        Path part = DataTools.partFile(file);
        SnapshotDownload.discard(part);
        try {
            SnapshotDownload.Begun b;
            try (ProgressBars progress = ProgressBars.bytes(ctx, "download")) {
                b = SnapshotDownload.fetch(connection.config(ctx.env(), false), part, progress);
            }
            SnapshotInfo info;
            try (ProgressBars progress = ProgressBars.records(ctx, "verify")) {
                info = DataTools.install(part, file, force, progress);
            }
            if (info.baseLsn() != b.lsn() || info.fileSize() != b.size() || info.keyCount() != b.keys()) {
                throw new IOException("the saved file does not match what the server announced (LSN " + b.lsn()
                        + ", " + b.size() + " bytes, " + b.keys() + " keys; the file has LSN " + info.baseLsn() + ", "
                        + info.fileSize() + " bytes, " + info.keyCount() + " keys): " + file + " is not the "
                        + "snapshot that was asked for; run the save again");
            }
            return info;
        } finally {
            SnapshotDownload.discard(part);
        }
    }
}
