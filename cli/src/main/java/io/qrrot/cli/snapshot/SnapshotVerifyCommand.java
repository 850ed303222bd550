package io.qrrot.cli.snapshot;

import io.qrrot.cli.CliContext;
import io.qrrot.cli.ops.ProgressBars;
import io.qrrot.cli.ops.Reports;
import io.qrrot.recovery.DataTools;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code qrrot snapshot verify FILE}: every check, the whole file read. */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = {"Read a whole snapshot file and check everything: header, every block's CRC32C, every "
                + "record's framing, the counts and the digest. On the first failure, print where (file and byte "
                + "offset) and what was expected. Also says what the keys hold: how many collections of each type, "
                + "with how many elements.",
                "Exit status: 0 the file is good, 1 corrupt or unreadable, 2 usage."})
public final class SnapshotVerifyCommand implements Callable<Integer> {
    private final CliContext ctx;

    @Parameters(paramLabel = "FILE", description = "The snapshot file (.qrrt).")
    Path file;

    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    public SnapshotVerifyCommand(CliContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() {
        return SnapshotInspection.run(ctx, "qrrot snapshot verify", file, json, f -> {
            try (ProgressBars progress = ProgressBars.records(ctx, "verify")) {
                return DataTools.inspect(f, progress);
            }
        }, Reports::lines, Reports::json);
    }
}
