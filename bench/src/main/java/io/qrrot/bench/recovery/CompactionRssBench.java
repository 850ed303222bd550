package io.qrrot.bench.recovery;

import io.qrrot.bench.store.Keys;
import io.qrrot.engine.CommandArgs;
import io.qrrot.recovery.Qrrot;
import io.qrrot.recovery.QrrotOptions;
import io.qrrot.wal.FsyncPolicy;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * RSS of a server-like process while a compaction runs under a steady write load, measured from outside.
 *
 * <p>{@code prepare DIR KEYS} writes a data directory with keys {@code key:0..KEYS-1} (16-byte values) and one
 * snapshot holding them. {@code run DIR KEYS [options]} starts a fresh JVM with the launcher's JVM flags (read
 * from the {@code qrrot} script, so the two cannot drift apart) running {@link CompactionLoad}, which opens the
 * directory and writes random existing keys at a steady rate without allocating per write. This process
 * samples the child's {@code /proc/PID/status} (VmRSS, RssAnon, RssFile) every 5 ms. Once the load is in a
 * steady state it tells the child to compact, and reports RSS before, the peak during the compaction and the
 * growth, the compaction time and the write rate before and during it; then it waits for the WAL to fill again
 * and repeats.
 *
 * <p>Steady state means: the warm-up has lasted {@code --min-warmup} seconds, the WAL holds {@code --delta-mib}
 * since the snapshot (the background compactor's threshold by default: what it would fold), the heap's
 * committed size has not changed for 10 s and RSS has varied by at most 0.1 % (at least 1 MiB) over the last
 * 10 s.
 *
 * <p>Options: {@code --launcher PATH} (./qrrot), {@code --jvm-opts "…"} (appended to the launcher's),
 * {@code --rate N} writes/s (100000; 0 = as fast as one thread can), {@code --fsync P} (everysec),
 * {@code --delta-mib M} (256), {@code --min-warmup S} (20), {@code --max-warmup S} (600), {@code --max-compaction S} (1800),
 * {@code --compactions C} (2), {@code --out DIR} (samples.csv, the child's output, gc.log, and with
 * {@code --nmt} native-memory diffs around each compaction, with {@code --smaps} copies of
 * {@code /proc/PID/smaps} before, every 500 ms during and after each compaction).
 */
public final class CompactionRssBench {
    private static final long SAMPLE_NANOS = 5_000_000L;
    private static final long WINDOW_NANOS = 10_000_000_000L;
    private static final Pattern FLAGS = Pattern.compile("(?m)^jvm_flags=\"([^\"]*)\"");

    public static void main(String[] args) throws Exception {
        if (args.length == 3 && args[0].equals("prepare")) {
            prepare(Path.of(args[1]), Long.parseLong(args[2]));
        } else if (args.length >= 3 && args[0].equals("run")) {
            new CompactionRssBench(Path.of(args[1]), Long.parseLong(args[2]),
                    Arrays.copyOfRange(args, 3, args.length)).run();
        } else {
            System.err.println("usage: CompactionRssBench prepare DIR KEYS | run DIR KEYS [--launcher PATH]"
                    + " [--jvm-opts \"...\"] [--rate N] [--fsync P] [--delta-mib M] [--min-warmup S]"
                    + " [--max-warmup S] [--compactions C] [--out DIR] [--nmt] [--smaps]");
            System.exit(2);
        }
    }

    /** Loads KEYS keys through the WAL and folds them into one snapshot (one pass, as every compaction). */
    static void prepare(Path dir, long keys) throws IOException {
        if (Files.exists(dir)) {
            throw new IllegalArgumentException(dir + " exists: give a new directory");
        }
        QrrotOptions o = QrrotOptions.defaults().withFsync(FsyncPolicy.NO)
                .withWal(64L << 20, Long.MAX_VALUE, Long.MAX_VALUE);
        long t = System.nanoTime();
        try (Qrrot db = Qrrot.open(dir, o)) {
            Qrrot.Session s = db.newSession();
            CommandArgs a = new CommandArgs();
            byte[] key = new byte[32];
            byte[] value = new byte[16];
            byte[] set = "SET".getBytes(StandardCharsets.US_ASCII);
            for (long i = 0; i < keys; i++) {
                int len = Keys.write(key, i);
                CompactionLoad.hex(i, value);
                a.clear();
                a.add(set);
                a.add(key, 0, len);
                a.add(value);
                s.execute(a, CompactionLoad.NO_REPLY);
                if ((i & 1023) == 0) {
                    db.endOfBatch();
                }
            }
            db.endOfBatch();
            System.out.printf("loaded %d keys in %.1f s%n", keys, (System.nanoTime() - t) / 1e9);
            t = System.nanoTime();
            Qrrot.SnapshotResult r = db.saveSnapshot();
            System.out.printf("snapshot: %d keys, %d bytes, %.1f s%n", r.keys(), r.bytes(), (System.nanoTime() - t) / 1e9);
        }
    }

    private final Path dir;
    private final long keys;
    private Path launcher = Path.of("qrrot");
    private String extraOpts = "";
    private long rate = 100_000;
    private String fsync = "everysec";
    private long deltaBytes = 256L << 20;
    private long minWarmup = 20;
    private long maxWarmup = 600;
    private long maxCompaction = 1800;
    private int compactions = 2;
    private Path out;
    private boolean nmt;
    private boolean smaps;

    private Process child;
    private long pid;
    private final Samples samples = new Samples();
    private final List<long[]> stats = new ArrayList<>(); // nanos, writes, maxWriteMicros, heapUsed, heapCommitted, young, old, walBytes
    private final List<String> events = new ArrayList<>();
    private volatile boolean childDone;

    private CompactionRssBench(Path dir, long keys, String[] opts) {
        this.dir = dir;
        this.keys = keys;
        for (int i = 0; i < opts.length; i += 2) {
            if (opts[i].equals("--nmt") || opts[i].equals("--smaps")) {
                nmt |= opts[i].equals("--nmt");
                smaps |= opts[i].equals("--smaps");
                i--;
                continue;
            }
            if (i + 1 >= opts.length) {
                throw new IllegalArgumentException("option " + opts[i] + " needs a value");
            }
            String v = opts[i + 1];
            switch (opts[i]) {
                case "--launcher" -> launcher = Path.of(v);
                case "--jvm-opts" -> extraOpts = v;
                case "--rate" -> rate = Long.parseLong(v);
                case "--fsync" -> fsync = v;
                case "--delta-mib" -> deltaBytes = Long.parseLong(v) << 20;
                case "--min-warmup" -> minWarmup = Long.parseLong(v);
                case "--max-warmup" -> maxWarmup = Long.parseLong(v);
                case "--max-compaction" -> maxCompaction = Long.parseLong(v);
                case "--compactions" -> compactions = Integer.parseInt(v);
                case "--out" -> out = Path.of(v);
                default -> throw new IllegalArgumentException("unknown option " + opts[i]);
            }
        }
    }

    private void run() throws Exception {
        if (out == null) {
            out = Files.createTempDirectory("qrrot-compaction-rss");
        }
        Files.createDirectories(out);
        String jar = Path.of(CompactionRssBench.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .toString();
        List<String> cmd = new ArrayList<>();
        cmd.add("java");
        cmd.addAll(split(launcherFlags()));
        // The launcher runs qrrot.jar, whose manifest opens this package for Agrona; -cp needs it said.
        cmd.add("--add-opens");
        cmd.add("java.base/jdk.internal.misc=ALL-UNNAMED");
        cmd.add("-Xlog:gc*:file=" + out.resolve("gc.log"));
        if (nmt) {
            cmd.add("-XX:NativeMemoryTracking=summary");
        }
        cmd.addAll(split(extraOpts));
        cmd.addAll(List.of("-cp", jar, CompactionLoad.class.getName(), dir.toString(), Long.toString(keys),
                Long.toString(rate), fsync));
        System.out.println("child: " + String.join(" ", cmd));
        System.out.println("load average at start: " + loadAverage());
        long started = System.nanoTime();
        child = new ProcessBuilder(cmd).redirectError(out.resolve("child.err").toFile()).start();
        pid = child.pid();
        Process started0 = child;
        Runtime.getRuntime().addShutdownHook(new Thread(started0::destroyForcibly)); // never leave it running
        Thread sampler = new Thread(this::sample, "rss-sampler");
        sampler.setDaemon(true);
        sampler.start();
        PrintWriter toChild = new PrintWriter(child.getOutputStream(), true, StandardCharsets.US_ASCII);
        Thread reader = new Thread(this::readChild, "child-reader");
        reader.setDaemon(true);
        reader.start();

        long opened = waitFor("OPENED", 0, Long.MAX_VALUE)[0];
        System.out.printf(Locale.ROOT, "opened after %.1f s: %s; RSS %d MiB%n", (opened - started) / 1e9,
                eventLine("OPENED"), samples.rssAt(System.nanoTime())[0] >> 20);
        long firstBefore = 0;
        long warmFrom = opened;
        for (int k = 1; k <= compactions; k++) {
            long steadyAt = waitSteady(warmFrom);
            long before = samples.meanRss(steadyAt - 1_000_000_000L, steadyAt);
            long[] beforeParts = samples.rssAt(steadyAt);
            if (k == 1) {
                firstBefore = before;
            }
            if (nmt) {
                jcmd("VM.native_memory", "baseline");
            }
            if (smaps) {
                copySmaps("smaps-before-" + k);
            }
            int statsBefore = stats.size();
            long asked = System.nanoTime();
            toChild.println("compact");
            long[] start = waitFor("COMPACT_START", asked, Long.MAX_VALUE);
            long[] end = smaps ? waitCopyingSmaps(k, start[0]) : waitFor("COMPACT_END", start[0], maxCompaction * 1_000_000_000L);
            long t0 = start[0];
            long t1 = end[0];
            Thread.sleep(2000); // to see what stays after the compaction
            // The compaction's own effects can land just after it returns (frees, the next GC): count them.
            long[] peak = samples.peak(t0, t1 + 2_000_000_000L);
            long after = samples.meanRss(t1 + 1_500_000_000L, t1 + 2_000_000_000L);
            if (nmt) {
                Files.writeString(out.resolve("nmt-diff-" + k + ".txt"), jcmd("VM.native_memory", "summary.diff"));
            }
            if (smaps) {
                copySmaps("smaps-after-" + k);
            }
            double secs = (t1 - t0) / 1e9;
            long[] w10 = writesBetween(t0 - WINDOW_NANOS, t0);
            double rateBefore = w10[0] / ((w10[1]) / 1e9);
            long maxLatBefore = maxWriteMicros(t0 - WINDOW_NANOS, t0);
            long maxLatDuring = maxWriteMicros(t0, t1 + 1_000_000_000L);
            System.out.printf(Locale.ROOT, "compaction %d: steady after %.1f s of writes (WAL %d MiB since the"
                            + " snapshot, heap committed %d MiB, used %d MiB, %d young / %d full GCs so far)%n",
                    k, (steadyAt - warmFrom) / 1e9, lastStat(steadyAt)[7] >> 20, lastStat(steadyAt)[4] >> 20,
                    lastStat(steadyAt)[3] >> 20, lastStat(steadyAt)[5], lastStat(steadyAt)[6]);
            System.out.printf(Locale.ROOT, "  %.1f s, %d keys, %d bytes; writes %.0f/s in the 10 s before, %.0f/s"
                            + " during (slowest write %d µs before, %d µs during)%n", secs, end[2], end[3],
                    rateBefore, (end[1] - start[1]) / secs, maxLatBefore, maxLatDuring);
            System.out.printf(Locale.ROOT, "  RSS before %.1f MiB (anon %.1f, file %.1f), peak %.1f MiB (anon %.1f,"
                            + " file %.1f) at +%.1f s, growth %+.1f MiB = %+.2f %%; 2 s after the end %.1f MiB"
                            + " (%+.2f %% over the first compaction's before)%n",
                    mib(before), mib(beforeParts[1]), mib(beforeParts[2]), mib(peak[0]), mib(peak[1]), mib(peak[2]),
                    (peak[3] - t0) / 1e9, mib(peak[0] - before), 100.0 * (peak[0] - before) / before, mib(after),
                    100.0 * (after - firstBefore) / firstBefore);
            System.out.printf(Locale.ROOT, "  heap during: %s%n", heapDuring(statsBefore, t1));
            warmFrom = t1;
        }
        toChild.println("stop");
        child.waitFor(120, TimeUnit.SECONDS);
        childDone = true;
        System.out.println("load average at end: " + loadAverage());
        samples.write(out.resolve("samples.csv"), started);
        System.out.println("samples, child output and GC log in " + out);
    }

    /** Waits for the steady state described in the class comment; returns when it was reached. */
    private long waitSteady(long from) throws InterruptedException {
        long deadline = from + maxWarmup * 1_000_000_000L;
        while (true) {
            Thread.sleep(200);
            long now = System.nanoTime();
            if (child.isAlive() == false) {
                throw new IllegalStateException("the child exited: see " + out.resolve("child.err"));
            }
            long[] last = lastStat(now);
            if (last == null || now - from < minWarmup * 1_000_000_000L || last[7] < deltaBytes) {
                if (now > deadline) {
                    System.out.println("  NOT STEADY: warm-up limit reached before the WAL delta");
                    return now;
                }
                continue;
            }
            long[] range = samples.range(now - WINDOW_NANOS, now);
            boolean rssFlat = range[1] - range[0] <= Math.max(1L << 20, range[1] / 1000);
            boolean heapFlat = heapCommittedSince(now - WINDOW_NANOS) == last[4];
            if (rssFlat && heapFlat) {
                return now;
            }
            if (now > deadline) {
                System.out.printf(Locale.ROOT, "  NOT STEADY after %d s: RSS varied %.1f MiB over 10 s, heap flat %s%n",
                        maxWarmup, mib(range[1] - range[0]), heapFlat);
                return now;
            }
        }
    }

    private void sample() {
        Path status = Path.of("/proc", Long.toString(pid), "status");
        long next = System.nanoTime();
        while (!childDone) {
            try {
                String s = Files.readString(status, StandardCharsets.US_ASCII);
                samples.add(System.nanoTime(), field(s, "VmRSS:"), field(s, "RssAnon:"), field(s, "RssFile:"));
            } catch (IOException e) {
                return; // the child is gone
            }
            next += SAMPLE_NANOS;
            long wait = next - System.nanoTime();
            if (wait > 0) {
                java.util.concurrent.locks.LockSupport.parkNanos(wait);
            } else {
                next = System.nanoTime();
            }
        }
    }

    private void readChild() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.US_ASCII));
             Writer log = Files.newBufferedWriter(out.resolve("child.out"))) {
            for (String line; (line = r.readLine()) != null; ) {
                log.write(line + "\n");
                log.flush();
                String[] f = line.split(" ");
                if (f[0].equals("STAT")) {
                    long[] v = new long[f.length - 1];
                    for (int i = 1; i < f.length; i++) {
                        v[i - 1] = Long.parseLong(f[i]);
                    }
                    synchronized (stats) {
                        stats.add(v);
                    }
                } else {
                    synchronized (events) {
                        events.add(line);
                        events.notifyAll();
                    }
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Waits for an event line {@code NAME nanos …} with nanos ≥ after; returns its numeric fields. After
     * {@code timeout} nanos the child is killed and this throws.
     */
    private long[] waitFor(String name, long after, long timeout) throws InterruptedException {
        long deadline = System.nanoTime() + Math.min(timeout, Long.MAX_VALUE / 4);
        synchronized (events) {
            while (true) {
                for (String e : events) {
                    String[] f = e.split(" ");
                    if (f[0].equals(name) && Long.parseLong(f[1]) >= after) {
                        long[] v = new long[f.length - 1];
                        for (int i = 1; i < f.length; i++) {
                            try {
                                v[i - 1] = Long.parseLong(f[i]);
                            } catch (NumberFormatException x) {
                                v[i - 1] = -1;
                            }
                        }
                        return v;
                    }
                }
                if (!child.isAlive()) {
                    throw new IllegalStateException("the child exited before " + name + ": see "
                            + out.resolve("child.err"));
                }
                if (System.nanoTime() > deadline) {
                    child.destroyForcibly();
                    throw new IllegalStateException("no " + name + " within " + timeout / 1_000_000_000L
                            + " s: killed the child; see " + out.resolve("gc.log") + " and " + out.resolve("child.err"));
                }
                events.wait(1000);
            }
        }
    }

    private String eventLine(String name) {
        synchronized (events) {
            return events.stream().filter(e -> e.startsWith(name + " ")).findFirst().orElse("");
        }
    }

    private long[] lastStat(long before) {
        synchronized (stats) {
            for (int i = stats.size() - 1; i >= 0; i--) {
                if (stats.get(i)[0] <= before) {
                    return stats.get(i);
                }
            }
            return null;
        }
    }

    /** {writes, nanos} between the STAT lines closest to the two times. */
    private long[] writesBetween(long from, long to) {
        long[] a = lastStat(from);
        long[] b = lastStat(to);
        if (a == null || b == null || a == b) {
            return new long[] {0, 1};
        }
        return new long[] {b[1] - a[1], b[0] - a[0]};
    }

    private long maxWriteMicros(long from, long to) {
        long max = 0;
        synchronized (stats) {
            for (long[] s : stats) {
                if (s[0] > from && s[0] <= to) {
                    max = Math.max(max, s[2]);
                }
            }
        }
        return max;
    }

    /** The heap committed size if it was the same in every STAT since {@code from}, else -1. */
    private long heapCommittedSince(long from) {
        long v = -2;
        synchronized (stats) {
            for (long[] s : stats) {
                if (s[0] >= from) {
                    if (v == -2) {
                        v = s[4];
                    } else if (v != s[4]) {
                        return -1;
                    }
                }
            }
        }
        return v;
    }

    private String heapDuring(int fromIndex, long to) {
        long maxUsed = 0;
        long maxCommitted = 0;
        long young0 = -1;
        long old0 = -1;
        long young1 = 0;
        long old1 = 0;
        synchronized (stats) {
            for (int i = Math.max(0, fromIndex - 1); i < stats.size(); i++) {
                long[] s = stats.get(i);
                if (s[0] > to + 1_000_000_000L) {
                    break;
                }
                if (young0 < 0) {
                    young0 = s[5];
                    old0 = s[6];
                }
                maxUsed = Math.max(maxUsed, s[3]);
                maxCommitted = Math.max(maxCommitted, s[4]);
                young1 = s[5];
                old1 = s[6];
            }
        }
        return String.format(Locale.ROOT, "used up to %d MiB, committed up to %d MiB, %d young and %d full GCs",
                maxUsed >> 20, maxCommitted >> 20, young1 - young0, old1 - old0);
    }

    private String launcherFlags() throws IOException {
        Matcher m = FLAGS.matcher(Files.readString(launcher));
        if (!m.find()) {
            throw new IllegalStateException("no line jvm_flags=\"…\" in the launcher " + launcher
                    + ": give its path with --launcher");
        }
        return m.group(1);
    }

    private String jcmd(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("jcmd", Long.toString(pid)));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return text;
    }

    private long[] waitCopyingSmaps(int k, long start) throws InterruptedException, IOException {
        long deadline = System.nanoTime() + maxCompaction * 1_000_000_000L;
        while (true) {
            synchronized (events) {
                for (String e : events) {
                    if (e.startsWith("COMPACT_END ") && Long.parseLong(e.split(" ")[1]) >= start) {
                        return waitFor("COMPACT_END", start, 0);
                    }
                }
            }
            if (System.nanoTime() > deadline || !child.isAlive()) {
                return waitFor("COMPACT_END", start, 0);
            }
            copySmaps("smaps-during-" + k + "-" + (System.nanoTime() - start) / 1_000_000);
            Thread.sleep(500);
        }
    }

    private void copySmaps(String name) throws IOException {
        Files.copy(Path.of("/proc", Long.toString(pid), "smaps"), out.resolve(name + ".txt"));
        Files.copy(Path.of("/proc", Long.toString(pid), "smaps_rollup"), out.resolve(name + "-rollup.txt"));
    }

    private static long field(String status, String name) {
        int i = status.indexOf(name);
        if (i < 0) {
            return 0;
        }
        int j = i + name.length();
        while (status.charAt(j) == ' ' || status.charAt(j) == '\t') {
            j++;
        }
        long v = 0;
        while (Character.isDigit(status.charAt(j))) {
            v = v * 10 + status.charAt(j++) - '0';
        }
        return v * 1024; // kB
    }

    private static List<String> split(String flags) {
        List<String> out = new ArrayList<>();
        for (String f : flags.trim().split("\\s+")) {
            if (!f.isEmpty()) {
                out.add(f);
            }
        }
        return out;
    }

    private static String loadAverage() throws IOException {
        return Files.readString(Path.of("/proc/loadavg")).trim();
    }

    private static double mib(long bytes) {
        return bytes / 1048576.0;
    }

    /** RSS samples: time, VmRSS, RssAnon, RssFile (bytes). */
    private static final class Samples {
        private long[] t = new long[1 << 16];
        private long[] rss = new long[t.length];
        private long[] anon = new long[t.length];
        private long[] file = new long[t.length];
        private int n;

        synchronized void add(long time, long vmRss, long rssAnon, long rssFile) {
            if (n == t.length) {
                t = Arrays.copyOf(t, n * 2);
                rss = Arrays.copyOf(rss, n * 2);
                anon = Arrays.copyOf(anon, n * 2);
                file = Arrays.copyOf(file, n * 2);
            }
            t[n] = time;
            rss[n] = vmRss;
            anon[n] = rssAnon;
            file[n] = rssFile;
            n++;
        }

        /** The last sample at or before {@code time}: {rss, anon, file}. */
        synchronized long[] rssAt(long time) {
            for (int i = n - 1; i >= 0; i--) {
                if (t[i] <= time) {
                    return new long[] {rss[i], anon[i], file[i]};
                }
            }
            return new long[] {0, 0, 0};
        }

        synchronized long meanRss(long from, long to) {
            long sum = 0;
            int count = 0;
            for (int i = 0; i < n; i++) {
                if (t[i] >= from && t[i] <= to) {
                    sum += rss[i];
                    count++;
                }
            }
            return count == 0 ? rssAt(to)[0] : sum / count;
        }

        /** {min, max} of VmRSS in the window. */
        synchronized long[] range(long from, long to) {
            long min = Long.MAX_VALUE;
            long max = 0;
            for (int i = 0; i < n; i++) {
                if (t[i] >= from && t[i] <= to) {
                    min = Math.min(min, rss[i]);
                    max = Math.max(max, rss[i]);
                }
            }
            return min == Long.MAX_VALUE ? new long[] {0, Long.MAX_VALUE} : new long[] {min, max};
        }

        /** The highest VmRSS sample in the window: {rss, anon, file, time}. */
        synchronized long[] peak(long from, long to) {
            int best = -1;
            for (int i = 0; i < n; i++) {
                if (t[i] >= from && t[i] <= to && (best < 0 || rss[i] > rss[best])) {
                    best = i;
                }
            }
            return best < 0 ? new long[] {0, 0, 0, from} : new long[] {rss[best], anon[best], file[best], t[best]};
        }

        synchronized void write(Path csv, long origin) throws IOException {
            try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(csv))) {
                w.println("seconds,vm_rss_kib,rss_anon_kib,rss_file_kib");
                for (int i = 0; i < n; i++) {
                    w.printf(Locale.ROOT, "%.3f,%d,%d,%d%n", (t[i] - origin) / 1e9, rss[i] >> 10, anon[i] >> 10,
                            file[i] >> 10);
                }
            }
        }
    }
}
