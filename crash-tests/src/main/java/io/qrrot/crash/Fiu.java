package io.qrrot.crash;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * libfiu from the command line: {@code fiu-run -x} starts a program with the POSIX fault points preloaded and
 * a control fifo, {@code fiu-ctrl} turns a fault point on or off in the running process.
 *
 * <p>Fault points are named narrowly ({@link #FSYNC}, {@link #PWRITE}) so the JVM can still read its jars
 * and write to its sockets. On Java 17 {@code FileChannel.force(true)} calls fsync(2) (force(false) calls
 * fdatasync(2)) and a positional {@code FileChannel.write} calls pwrite64(2), which libfiu names
 * {@code posix/io/rw/pwrite}. {@code failinfo} is the errno the failing call sets; without it libfiu picks
 * one at random from the call's documented errnos.
 */
public final class Fiu {
    public static final String FSYNC = "posix/io/sync/fsync";
    public static final String FDATASYNC = "posix/io/sync/fdatasync";
    public static final String PWRITE = "posix/io/rw/pwrite";
    /** errno values for {@code failinfo}. */
    public static final int EIO = 5;
    public static final int ENOSPC = 28;

    private static final long CTRL_TIMEOUT_SECONDS = 20;

    private Fiu() {
    }

    /** Whether both {@code fiu-run} and {@code fiu-ctrl} are on the PATH. */
    public static boolean available() {
        return onPath("fiu-run") && onPath("fiu-ctrl");
    }

    /**
     * {@code command} run under {@code fiu-run -x} with its control fifos at {@code fifoPrefix-PID.in/.out}
     * and no fault enabled yet.
     */
    public static List<String> wrap(Path fifoPrefix, List<String> command) {
        return wrap(fifoPrefix, List.of(), command);
    }

    /** Likewise, with the fault points {@code enableCommands} (see {@link #enableCommand}) on from the start. */
    public static List<String> wrap(Path fifoPrefix, List<String> enableCommands, List<String> command) {
        List<String> cmd = new ArrayList<>(List.of("fiu-run", "-x", "-f", fifoPrefix.toString()));
        for (String c : enableCommands) {
            cmd.add("-c");
            cmd.add(c);
        }
        cmd.addAll(command);
        return cmd;
    }

    /** The libfiu command that makes every call behind {@code point} fail with {@code errno}. */
    public static String enableCommand(String point, int errno) {
        return "enable name=" + point + ",failinfo=" + errno;
    }

    /** The fifo fiu-ctrl answers on; it exists once the preloaded library runs in process {@code pid}. */
    public static Path controlFifo(Path fifoPrefix, long pid) {
        return Path.of(fifoPrefix + "-" + pid + ".out");
    }

    /** Makes every call behind {@code point} fail with {@code errno} in process {@code pid}, from now on. */
    public static void enable(Path fifoPrefix, long pid, String point, int errno) throws IOException, InterruptedException {
        control(fifoPrefix, pid, enableCommand(point, errno));
    }

    public static void disable(Path fifoPrefix, long pid, String point) throws IOException, InterruptedException {
        control(fifoPrefix, pid, "disable name=" + point);
    }

    /**
     * Runs {@code fiu-ctrl -c command pid}. fiu-ctrl exits 0 even when the pid is unknown or the command is
     * refused and says so on its output instead, so any output is an error here. It returns once the
     * process has answered, so the fault is in force when this returns.
     */
    static void control(Path fifoPrefix, long pid, String command) throws IOException, InterruptedException {
        if (!Files.exists(controlFifo(fifoPrefix, pid))) {
            throw new IOException("no libfiu control fifo " + controlFifo(fifoPrefix, pid)
                    + ": process " + pid + " was not started under fiu-run -f " + fifoPrefix);
        }
        Process p = new ProcessBuilder("fiu-ctrl", "-f", fifoPrefix.toString(), "-c", command, Long.toString(pid))
                .redirectErrorStream(true).start();
        if (!p.waitFor(CTRL_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            throw new IOException("fiu-ctrl '" + command + "' " + pid + " got no answer within "
                    + CTRL_TIMEOUT_SECONDS + " s: the process no longer reads its control fifo");
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (p.exitValue() != 0 || !out.isEmpty()) {
            throw new IOException("fiu-ctrl '" + command + "' " + pid + " failed (exit " + p.exitValue() + "): " + out);
        }
    }

    private static boolean onPath(String program) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }
}
