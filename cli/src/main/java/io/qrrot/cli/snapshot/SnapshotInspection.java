package io.qrrot.cli.snapshot;

import io.qrrot.cli.CliContext;
import io.qrrot.cli.ops.Problems;
import io.qrrot.cli.ops.Reports;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;

/** What {@code snapshot status} and {@code snapshot verify} share: print the file's report or why it failed. */
final class SnapshotInspection {
    /** Reads what a verb reports on a snapshot file. */
    @FunctionalInterface
    interface Check<T> {
        T run(Path file) throws IOException;
    }

    private SnapshotInspection() {
    }

    /**
     * Runs the check and prints its report: as {@code lines} for people, or {@code json}; on failure the
     * problem on stderr (and a JSON error with {@code --json}). Returns the exit status.
     */
    static <T> int run(CliContext ctx, String verb, Path file, boolean json, Check<T> check,
                       Function<T, List<String>> lines, Function<T, String> toJson) {
        T report;
        try {
            report = check.run(file);
        } catch (IOException e) {
            String problem = Problems.describe(e);
            ctx.err().println(verb + ": " + problem);
            if (json) {
                ctx.out().println(Reports.jsonError(file, problem));
            }
            return 1;
        }
        if (json) {
            ctx.out().println(toJson.apply(report));
        } else {
            lines.apply(report).forEach(ctx.out()::println);
        }
        return 0;
    }
}
