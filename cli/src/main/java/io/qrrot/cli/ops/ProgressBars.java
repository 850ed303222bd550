package io.qrrot.cli.ops;

import io.qrrot.cli.CliContext;
import io.qrrot.recovery.DataTools;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;

/**
 * A progress bar on stderr for long work (verify, restore, download), shown only when a person is at the
 * terminal: otherwise stderr is a log or a pipe and a bar would only litter it. Used by one thread.
 */
public final class ProgressBars implements DataTools.Progress, AutoCloseable {
    private final CliContext ctx;
    private final String task;
    private final String unit;
    private final long unitSize;
    private ProgressBar bar;

    private ProgressBars(CliContext ctx, String task, String unit, long unitSize) {
        this.ctx = ctx;
        this.task = task;
        this.unit = unit;
        this.unitSize = unitSize;
    }

    /** Counts a snapshot's records (a key, or a collection's header and each of its elements). */
    public static ProgressBars records(CliContext ctx, String task) {
        return new ProgressBars(ctx, task, " records", 1);
    }

    /** Counts bytes, shown in MiB. */
    public static ProgressBars bytes(CliContext ctx, String task) {
        return new ProgressBars(ctx, task, " MiB", 1L << 20);
    }

    @Override
    public void update(long done, long total) {
        if (!ctx.interactive()) {
            return;
        }
        if (bar == null) {
            bar = new ProgressBarBuilder().setTaskName(task).setInitialMax(total).setUnit(unit, unitSize)
                    .setConsumer(new ConsoleProgressBarConsumer(ctx.err())).setUpdateIntervalMillis(200).build();
        }
        bar.maxHint(total);
        bar.stepTo(done);
    }

    /** Ends the bar (its last state stays on the screen). */
    @Override
    public void close() {
        if (bar != null) {
            bar.close();
            bar = null;
        }
    }
}
