package io.qrrot.cli.wal;

import io.qrrot.cli.CliContext;
import io.qrrot.cli.ops.Problems;
import io.qrrot.engine.EffectFormatException;
import io.qrrot.recovery.DataTools;
import io.qrrot.wal.WalCheck;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.concurrent.Callable;
import org.agrona.concurrent.UnsafeBuffer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code qrrot wal dump DIR [--from LSN] [--limit N]}: the log's records, decoded, one operation a line. */
@Command(name = "dump", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"List the WAL's records in order, each operation on one line: "
                + "lsn=12 PUT key \"k\" type=string value \"v\" expiry=none (also DEL, EXPIRE, CLEAR, and "
                + "ELEMENTS_PUT and ELEMENTS_DEL with a line per element: lsn=13 ELEMENTS_PUT key \"h\" type=hash "
                + "field \"f\" value \"v\", of a zset: member \"m\" score 1.5, of a list: label 65536 value \"v\", "
                + "a label being the number that orders a list's elements). "
                + "Read-only. Stops at the first damaged record and says where.",
                "Exit status: 0 the whole log was listed, 1 damage or an unreadable record stopped it, 2 usage."})
public final class WalDumpCommand implements Callable<Integer> {
    private static final String VERB = "qrrot wal dump";
    private final CliContext ctx;

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "DIR", description = "A data directory, or its wal/ directory.")
    Path dir;

    @Option(names = "--from", paramLabel = "LSN", description = "Start at this LSN (default: the first record).")
    long from = 1;

    @Option(names = "--limit", paramLabel = "N", description = "List at most N records (default: all).")
    long limit = Long.MAX_VALUE;

    public WalDumpCommand(CliContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() {
        if (from < 1 || limit < 0) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    VERB + ": --from must be at least 1 and --limit at least 0");
        }
        Path wal;
        try {
            wal = DataTools.walDir(dir);
        } catch (IOException e) {
            ctx.err().println(VERB + ": " + Problems.describe(e));
            return 1;
        }
        int exit = 0;
        long listed = 0;
        try {
            Iterator<WalCheck.DumpEntry> it = WalCheck.dump(wal);
            UnsafeBuffer view = new UnsafeBuffer(new byte[0]);
            while (listed < limit && it.hasNext()) {
                WalCheck.DumpEntry e = it.next();
                if (e.problem() != null) {
                    ctx.err().println(VERB + ": stopped in " + e.segment() + " at offset " + e.offset() + ": "
                            + e.problem() + " (qrrot wal check " + dir + " says more)");
                    exit = 1;
                    break;
                }
                if (e.lsn() < from) {
                    continue;
                }
                listed++;
                byte[] payload = new byte[e.length()];
                e.payload().duplicate().get(payload);
                view.wrap(payload);
                try {
                    for (String line : EffectLines.of(e.lsn(), view, 0, e.length())) {
                        ctx.out().println(line);
                    }
                } catch (EffectFormatException bad) {
                    ctx.out().println("lsn=" + e.lsn() + " UNREADABLE " + bad.getMessage());
                    ctx.err().println(VERB + ": the record at LSN " + e.lsn() + " (" + e.segment() + " offset "
                            + e.offset() + ") passed its CRC but is not an effect record this build reads: "
                            + bad.getMessage());
                    exit = 1;
                }
            }
        } catch (IOException e) {
            ctx.err().println(VERB + ": " + Problems.describe(e));
            return 1;
        }
        ctx.out().flush();
        return exit;
    }
}
