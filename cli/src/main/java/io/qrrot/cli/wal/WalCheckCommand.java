package io.qrrot.cli.wal;

import io.qrrot.cli.CliContext;
import io.qrrot.cli.ops.Problems;
import io.qrrot.cli.ops.Reports;
import io.qrrot.recovery.DataTools;
import io.qrrot.wal.WalCheck;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code qrrot wal check DIR [--fix] [--json]}: validates every segment; with --fix cuts the log at the damage. */
@Command(name = "check", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Check every WAL segment record by record (framing, CRC32C, LSN order). A torn tail (the "
                + "last write of a crash) is reported and is repaired when the database opens; damage before the "
                + "tail stops the database from opening until the log is cut with --fix.",
                "--fix cuts the log at the first bad record: the damaged segment is copied to *.broken and truncated "
                        + "there, later segments are renamed to *.broken. Records from that point on are lost. It "
                        + "takes the data directory's lock, so it refuses while a server has the directory open.",
                "Exit status: 0 clean, torn tail, or fixed; 1 corruption left in place, or an error; 2 usage."})
public final class WalCheckCommand implements Callable<Integer> {
    private static final String VERB = "qrrot wal check";
    private final CliContext ctx;

    @Parameters(paramLabel = "DIR", description = "A data directory, or its wal/ directory.")
    Path dir;

    @Option(names = "--fix", description = "Cut the log at the first bad record (keeps *.broken copies).")
    boolean fix;

    @Option(names = "--json", description = "Print the report as one JSON object.")
    boolean json;

    public WalCheckCommand(CliContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() {
        WalCheck.Report report;
        try {
            report = DataTools.checkWal(dir, fix);
        } catch (IOException e) {
            ctx.err().println(VERB + ": " + Problems.describe(e));
            if (json) {
                ctx.out().println(Reports.jsonError(dir, Problems.describe(e)));
            }
            return 1;
        }
        if (json) {
            ctx.out().println(Reports.json(toMap(report)));
        } else {
            report.lines().forEach(ctx.out()::println);
        }
        return report.status() == WalCheck.Status.CORRUPT && !report.fixed() ? 1 : 0;
    }

    static Map<String, Object> toMap(WalCheck.Report r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("dir", r.dir().toString());
        m.put("status", r.status().name().toLowerCase(Locale.ROOT));
        m.put("records", r.records());
        m.put("lastLsn", r.lastLsn());
        List<Map<String, Object>> segments = new ArrayList<>();
        for (WalCheck.SegmentSummary s : r.segments()) {
            Map<String, Object> seg = new LinkedHashMap<>();
            seg.put("file", s.path().toString());
            seg.put("firstLsn", s.firstLsn());
            seg.put("lastLsn", s.lastLsn());
            seg.put("records", s.records());
            seg.put("dataBytes", s.dataBytes());
            seg.put("fileBytes", s.fileBytes());
            segments.add(seg);
        }
        m.put("segments", segments);
        if (r.damagedSegment() == null) {
            m.put("damage", null);
        } else {
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("segment", r.damagedSegment().toString());
            d.put("offset", r.damageOffset());
            d.put("problem", r.problem());
            m.put("damage", d);
        }
        m.put("fixed", r.fixed());
        m.put("droppedBytes", r.droppedBytes());
        List<String> broken = new ArrayList<>();
        r.brokenFiles().forEach(p -> broken.add(p.toString()));
        m.put("brokenFiles", broken);
        return m;
    }
}
