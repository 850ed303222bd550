package io.qrrot.crash;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.qrrot.crash.powercut.PowerCutHarness;
import io.qrrot.testkit.FaultyStorage;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Power cuts at every I/O point of seeded scripts (strings, counters, transactions, expiries, and about a third
 * collection writes: queues, a counter hash, a leaderboard, a set, a list edited in place; SAVEs that fold them),
 * each followed by a crash mode for the unsynced writes.
 * Bounded by default (a few thousand states); {@code -Pcrash-long} (or {@code -Dqrrot.crash.long=true})
 * runs at least 10,000. Replay one failure with {@code -Dqrrot.seed=SEED}.
 */
class PowerCutTest {
    static final FaultyStorage.CrashMode[] MODES = {
        FaultyStorage.CrashMode.NONE, FaultyStorage.CrashMode.TORN, FaultyStorage.CrashMode.SUBSET,
        FaultyStorage.CrashMode.ZEROED_SECTORS, FaultyStorage.CrashMode.PREFIX, FaultyStorage.CrashMode.ALL};

    /** With the WAL writer fsyncing, and with the thread that ends the batch fsyncing (the server's loop mode). */
    @ParameterizedTest(name = "syncOnFlush {0}")
    @ValueSource(booleans = {false, true})
    void nothingAcknowledgedIsLostAndTheStateIsAPrefix(boolean syncOnFlush) {
        boolean longMode = Boolean.getBoolean("qrrot.crash.long");
        Long fixedSeed = Long.getLong("qrrot.seed");
        long minStates = longMode ? 10_000 : 2_000;
        Random seeds = new Random();
        long states = 0;
        long acknowledged = 0;
        long steps = 0;
        long collectionSteps = 0;
        long saves = 0;
        List<String> problems = new ArrayList<>();
        List<Long> seedsRun = new ArrayList<>();
        while (states < minStates && problems.size() < 5) {
            long seed = fixedSeed != null ? fixedSeed : seeds.nextLong();
            seedsRun.add(seed);
            List<String[]> script = PowerCutHarness.script(seed, 70);
            long ioCount = PowerCutHarness.ioCount(script, syncOnFlush);
            steps += script.size();
            collectionSteps += script.stream().filter(PowerCutHarness::writesCollection).count();
            saves += script.stream().filter(op -> op[0].startsWith("SAVE")).count();
            Random rnd = new Random(seed);
            for (long n = 1; n <= ioCount; n++) {
                FaultyStorage.CrashMode mode = MODES[(int) ((n + seed) % MODES.length & 0x7fffffff) % MODES.length];
                PowerCutHarness.Outcome o = PowerCutHarness.cut(seed, script, n, mode, rnd, syncOnFlush);
                states++;
                acknowledged += o.acknowledged();
                if (o.problem() != null) {
                    problems.add("seed=" + seed + " cut at I/O " + n + " of " + ioCount + " (" + mode + "), "
                            + o.acknowledged() + " steps acknowledged: " + o.problem());
                }
            }
            if (fixedSeed != null) {
                break;
            }
        }
        System.out.printf("power cuts (syncOnFlush %s): %d states over seeds %s (%d steps, %d of them collection"
                + " writes, %d SAVEs), %d acknowledged steps checked, lost %d%n", syncOnFlush, states, seedsRun, steps,
                collectionSteps, saves, acknowledged, problems.size());
        assertEquals(List.of(), problems);
        assertTrue(fixedSeed != null || states >= minStates);
    }
}
