package io.qrrot.cli.snapshot;

import io.qrrot.cli.CliContext;
import io.qrrot.cli.ops.ProgressBars;
import io.qrrot.cli.ops.Problems;
import io.qrrot.cli.ops.Reports;
import io.qrrot.recovery.DataTools;
import io.qrrot.recovery.snapshot.SnapshotInfo;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code qrrot snapshot restore FILE --wal DIR}: a new data directory from a snapshot file. */
@Command(name = "restore", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Create a new data directory from a snapshot file (a backup from snapshot save): the file is "
                + "verified in full first, then installed as the directory's only snapshot, with an empty WAL after it.",
                "Refuses a directory that exists and is not empty: nothing in it is touched.",
                "Exit status: 0 restored, 1 failure (corrupt file, directory not empty), 2 usage."})
public final class SnapshotRestoreCommand implements Callable<Integer> {
    private static final String VERB = "qrrot snapshot restore";
    private final CliContext ctx;

    @Parameters(paramLabel = "FILE", description = "The snapshot file.")
    Path file;

    @Option(names = "--wal", paramLabel = "DIR", required = true,
            description = "The data directory to create (it may exist if it is empty).")
    Path dir;

    @Option(names = "--json", description = "Print the result as one JSON object.")
    boolean json;

    public SnapshotRestoreCommand(CliContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() {
        SnapshotInfo installed;
        try (ProgressBars progress = ProgressBars.records(ctx, "verify")) {
            installed = DataTools.restore(file, dir, progress);
        } catch (IOException e) {
            // Making DIR fails on a part of its path that is a file: say that, not the exception's name.
            boolean madeDir = (e instanceof FileAlreadyExistsException || e instanceof NotDirectoryException)
                    && ((FileSystemException) e).getReason() == null;
            String problem = madeDir ? "cannot make " + dir + ": " + Problems.describeDirectory(e) : Problems.describe(e);
            ctx.err().println(VERB + ": " + problem);
            if (json) {
                ctx.out().println(Reports.jsonError(file, problem));
            }
            return 1;
        }
        if (json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("dataDir", dir.toString());
            m.put("baseLsn", installed.baseLsn());
            m.put("keys", installed.keyCount());
            m.put("snapshot", installed.file());
            ctx.out().println(Reports.json(m));
        } else {
            ctx.out().println("restored " + file + " into " + dir + ": " + installed.keyCount() + " keys at LSN "
                    + installed.baseLsn() + " (" + installed.file() + ")");
            ctx.out().println("start it with: qrrot serve --wal " + dir);
        }
        return 0;
    }
}
