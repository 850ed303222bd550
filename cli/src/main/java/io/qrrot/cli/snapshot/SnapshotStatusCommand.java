package io.qrrot.cli.snapshot;

import io.qrrot.cli.CliContext;
import io.qrrot.cli.ops.Reports;
import io.qrrot.recovery.DataTools;
import io.qrrot.recovery.snapshot.SnapshotInfo;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code qrrot snapshot status FILE}: the header and footer, checked (two small reads). */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = {"Show a snapshot file's header and footer (base LSN, keys, size), checking their magic, CRCs "
                + "and the file size, but not the data: that is what verify does.",
                "Exit status: 0 ok, 1 bad or unreadable file, 2 usage."})
public final class SnapshotStatusCommand implements Callable<Integer> {
    private final CliContext ctx;

    @Parameters(paramLabel = "FILE", description = "The snapshot file (.qrrt).")
    Path file;

    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    public SnapshotStatusCommand(CliContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() {
        return SnapshotInspection.run(ctx, "qrrot snapshot status", file, json, DataTools::status, Reports::lines,
                SnapshotInfo::toJson);
    }
}
