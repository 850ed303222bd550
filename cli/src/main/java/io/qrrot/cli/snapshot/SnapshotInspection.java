package io.qrrot.cli.snapshot;

import io.qrrot.cli.CliContext;
import io.qrrot.cli.ops.Problems;
import io.qrrot.cli.ops.Reports;
import io.qrrot.recovery.snapshot.SnapshotInfo;
import java.io.IOException;
import java.nio.file.Path;

/** What {@code snapshot status} and {@code snapshot verify} share: print the file's report or why it failed. */
final class SnapshotInspection {
    /** Reads a snapshot's info. */
    @FunctionalInterface
    interface Check {
        SnapshotInfo run(Path file) throws IOException;
    }

    private SnapshotInspection() {
    }

    static int run(CliContext ctx, String verb, Path file, boolean json, Check check) {
        SnapshotInfo info;
        try {
            info = check.run(file);
        } catch (IOException e) {
            String problem = Problems.describe(e);
            ctx.err().println(verb + ": " + problem);
            if (json) {
                ctx.out().println(Reports.jsonError(file, problem));
            }
            return 1;
        }
        if (json) {
            ctx.out().println(info.toJson());
        } else {
            Reports.lines(info).forEach(ctx.out()::println);
        }
        return 0;
    }
}
