package io.qrrot.wal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.qrrot.storage.StorageFile;
import io.qrrot.testkit.FaultyStorage;
import io.qrrot.testkit.ForwardingStorage;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What {@link Wal#roll()} returns can be read at once, as the compactor does: {@code reader(base + 1, sealed)}
 * right after the roll. The segment writer seals in the middle of a batch; a roll must not answer before the
 * rest of that batch is written and counts as written.
 */
class WalRollRaceTest {
    private static final int WRITERS = 4;
    private static final long RUN_NANOS = TimeUnit.MILLISECONDS.toNanos(1000);
    private static final int MAX_ROLLS = 20_000;
    /** What an fsync costs here: a roll (several fsyncs) and an fsynced batch take a while, as on a disk. */
    private static final long FSYNC_NANOS = 50_000;

    /**
     * Writers append and flush continuously into tiny segments (most batches hold rolls, so the roll that
     * seals past the target is often in the middle of a batch) while one thread rolls and reads everything up
     * to each answer, checking that the LSNs and every writer's records follow on. The rolls also keep taking
     * the background preallocation's file while the next is asked for (see {@link PreallocatorHandOffTest}).
     *
     * <p>With {@code always} the writer thread writes the sealing batch while roll() looks on, and the race
     * showed in most rolls. With {@code everysec}/{@code no} roll() writes the batch itself under the I/O lock
     * unless another thread took it first, so the race needs an ill-timed preemption and hardly shows here;
     * {@link #aRollDuringTheBatchThatSealsWaitsForItsRecordsToCountAsWritten} shows it for every policy.
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(FsyncPolicy.class)
    void whatRollReturnsIsReadableRightAwayWhileWritersAppend(FsyncPolicy policy) throws Exception {
        long seed = WalTestSupport.seed();
        System.out.println("WalRollRaceTest " + policy + ": seed " + seed + " (-Dqrrot.seed=" + seed
                + " repeats the record sizes; the threads' timing is not repeatable)");
        FaultyStorage storage = new FaultyStorage().recordHistory(false);
        WalOptions opts = WalTestSupport.memOptions(storage).withStorage(new SlowFsync(storage)).withFsync(policy)
                .withSegmentBytes(2048).withBufferBytes(8192).withFlushDelayMillis(1).withSyncIntervalMillis(5)
                .withPreallocation(WalOptions.Preallocation.BACKGROUND);
        AtomicReference<Throwable> error = new AtomicReference<>();
        AtomicBoolean stop = new AtomicBoolean();
        int failedReads = 0;
        int rolls = 0;
        try (Wal wal = Wal.open(WalTestSupport.DIR, opts)) {
            CountDownLatch start = new CountDownLatch(1);
            Thread[] writers = new Thread[WRITERS];
            for (int t = 0; t < WRITERS; t++) {
                int id = t;
                SplittableRandom rnd = new SplittableRandom(seed + t);
                writers[t] = new Thread(() -> {
                    try {
                        start.await();
                        // Like clients: a few records, the end of their batch, then wait until they are durable.
                        for (long n = 1; !stop.get() && error.get() == null; ) {
                            long last = 0;
                            for (int k = 1 + rnd.nextInt(8); k > 0; k--) {
                                last = wal.append(payload(id, n++, 16 + rnd.nextInt(200)));
                            }
                            wal.flush();
                            wal.durable(last).get(30, TimeUnit.SECONDS);
                        }
                    } catch (Throwable e) {
                        error.compareAndSet(null, e);
                    }
                }, "roll-race-writer-" + t);
                writers[t].start();
            }
            // The counter each writer's next record must carry: one writer's records come in LSN order.
            long[] next = new long[WRITERS];
            Arrays.fill(next, 1);
            long base = 0;
            start.countDown();
            long deadline = System.nanoTime() + RUN_NANOS;
            try {
                while (System.nanoTime() - deadline < 0 && rolls < MAX_ROLLS && error.get() == null) {
                    long sealed = wal.roll();
                    if (sealed <= base) {
                        Thread.yield();
                        continue;
                    }
                    rolls++;
                    try {
                        base = readAll(wal, base, sealed, next);
                    } catch (IllegalArgumentException e) {
                        // The race: roll() answered before the records it sealed counted as written.
                        if (failedReads == 0) {
                            System.out.println("WalRollRaceTest " + policy + ": " + e.getMessage());
                        }
                        failedReads++;
                        continue;
                    }
                    wal.dropBelow(base + 1);
                }
            } finally {
                stop.set(true);
                for (Thread w : writers) {
                    w.join();
                }
            }
            if (error.get() != null) {
                throw new AssertionError(error.get());
            }
            System.out.println("WalRollRaceTest " + policy + ": " + rolls + " rolls, " + failedReads
                    + " could not read to what roll() returned; last LSN " + wal.lastLsn());
            assertEquals(0, failedReads, failedReads + " of " + rolls + " rolls returned an LSN that could not"
                    + " be read yet (seed " + seed + ")");
            long last = wal.roll();
            assertEquals(wal.lastLsn(), last);
            assertEquals(last, readAll(wal, base, last, next));
        }
        assertTrue(rolls > 0, "no roll sealed anything");
    }

    /**
     * The same race without relying on timing: the thread writing the batch that seals is held right after the
     * seal (the inline zero-fill of the next segment, which the seal asks for), before the batch is published.
     * A roll asked meanwhile must wait for it, not answer with LSNs that cannot be read yet.
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(FsyncPolicy.class)
    void aRollDuringTheBatchThatSealsWaitsForItsRecordsToCountAsWritten(FsyncPolicy policy) throws Exception {
        // A directory of its own: the writer thread is named after it.
        Path dir = Path.of("/data/roll-race-" + policy.name().toLowerCase());
        FaultyStorage storage = new FaultyStorage();
        HoldPreallocation hold = new HoldPreallocation(storage, dir.resolve("next" + WalFormat.TEMP_SUFFIX));
        WalOptions opts = WalTestSupport.memOptions(storage).withStorage(hold).withFsync(policy)
                .withSegmentBytes(1 << 20);
        try (Wal wal = Wal.open(dir, opts)) {
            // The records must still be buffered when the roll comes, to be written in the batch that seals:
            // once idle, the writer thread sleeps for the (long) flush delay.
            awaitParked("qrrot-wal-writer " + dir.getFileName());
            for (int i = 1; i <= 5; i++) {
                wal.append(WalTestSupport.payload(i));
            }
            hold.armed = true;
            Roll first = new Roll(wal, "first");
            assertTrue(hold.reached.await(30, TimeUnit.SECONDS), "the sealing batch never reached the zero-fill");
            if (wal.writtenLsn() != 0) {
                hold.release.countDown();
                // The writer thread woke by itself and wrote the records before the roll: nothing to show.
                assumeTrue(false, "records written before the roll's batch: " + wal.writtenLsn());
            }
            Roll second = new Roll(wal, "second");
            try {
                second.awaitDoneOrWaiting();
                if (second.result.isDone()) {
                    long sealed = second.result.join();
                    try (WalReader r = wal.reader(1, sealed)) {
                        assertTrue(r.next());
                    } catch (IllegalArgumentException e) {
                        fail("roll() returned " + sealed + " while the batch that sealed it was still being"
                                + " written: " + e.getMessage());
                    }
                }
            } finally {
                hold.release.countDown();
            }
            assertEquals(5, first.result.get(30, TimeUnit.SECONDS));
            assertEquals(5, second.result.get(30, TimeUnit.SECONDS));
            assertEquals(5, wal.writtenLsn());
            long[] next = {1};
            try (WalReader r = wal.reader(1, 5)) {
                while (r.next()) {
                    assertEquals(next[0]++, r.lsn());
                }
            }
            assertEquals(6, next[0]);
        }
    }

    /**
     * A batch that seals a segment and then fails (writing the records after the roll) fails the log: the roll
     * throws, and the seal, made in the middle of the failed batch, is never reported.
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(FsyncPolicy.class)
    void aRollWhoseBatchFailsAfterTheSealThrows(FsyncPolicy policy) throws Exception {
        Path dir = Path.of("/data/roll-fails-" + policy.name().toLowerCase());
        FaultyStorage storage = new FaultyStorage();
        Path firstSegment = dir.resolve(WalFormat.segmentName(1) + ".tmp");
        AtomicBoolean armed = new AtomicBoolean();
        ForwardingStorage failing = new ForwardingStorage(storage) {
            @Override
            protected void beforeWrite(Path path, StorageFile file, long position, int length) throws IOException {
                // Records in the second segment (its header, at 0, goes through: the seal comes first).
                if (armed.get() && !path.equals(firstSegment) && position >= WalFormat.HEADER_LENGTH) {
                    throw new IOException("injected: No space left on device");
                }
            }
        };
        WalOptions opts = WalTestSupport.memOptions(storage).withStorage(failing).withFsync(policy)
                .withSegmentBytes(2048).withPreallocation(WalOptions.Preallocation.NONE);
        try (Wal wal = Wal.open(dir, opts)) {
            awaitParked("qrrot-wal-writer " + dir.getFileName());
            armed.set(true);
            // One batch past the segment's size (and below half the buffer, so nothing writes it before the
            // roll): records, a roll, more records.
            for (int i = 0; i < 20; i++) {
                wal.append(new byte[150]);
            }
            WalFailedException e = assertThrows(WalFailedException.class, wal::roll);
            assertTrue(e.getMessage().contains("injected: No space left on device"), e.getMessage());
            assertNotNull(wal.failure());
            assertTrue(wal.writtenLsn() < wal.lastLsn(), "the failed batch counts as written: " + wal.writtenLsn());
            assertThrows(WalFailedException.class, wal::roll);
        }
    }

    /** Reads {@code base + 1 .. sealed}, checking LSNs and each writer's counter follow on; returns sealed. */
    private static long readAll(Wal wal, long base, long sealed, long[] next) throws Exception {
        long expect = base + 1;
        try (WalReader r = wal.reader(base + 1, sealed)) {
            while (r.next()) {
                assertEquals(expect, r.lsn(), "LSNs must follow on");
                ByteBuffer p = ByteBuffer.wrap(r.payloadBytes());
                int writer = p.getInt();
                long n = p.getLong();
                assertEquals(next[writer], n, "writer " + writer + " at LSN " + r.lsn());
                next[writer] = n + 1;
                expect++;
            }
        }
        assertEquals(sealed + 1, expect, "the reader must reach the sealed LSN");
        return sealed;
    }

    private static byte[] payload(int writer, long n, int length) {
        ByteBuffer b = ByteBuffer.allocate(length);
        b.putInt(writer).putLong(n);
        return b.array();
    }

    /** Until the live thread named {@code name} waits. */
    private static void awaitParked(String name) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            for (Thread t : Thread.getAllStackTraces().keySet()) {
                if (t.getName().equals(name) && t.isAlive() && t.getState() == Thread.State.TIMED_WAITING) {
                    return;
                }
            }
            assertTrue(System.nanoTime() - deadline < 0, name + " never waited");
            Thread.sleep(1);
        }
    }

    /** {@link Wal#roll()} on a thread of its own. */
    private static final class Roll {
        final CompletableFuture<Long> result = new CompletableFuture<>();
        final Thread thread;

        Roll(Wal wal, String name) {
            thread = new Thread(() -> {
                try {
                    result.complete(wal.roll());
                } catch (Throwable t) {
                    result.completeExceptionally(t);
                }
            }, "roll-race-" + name);
            thread.start();
        }

        /** Until the roll returned, or waits (for the lock or for the seal to be published). */
        void awaitDoneOrWaiting() throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!result.isDone()) {
                Thread.State s = thread.getState();
                if (s == Thread.State.WAITING || s == Thread.State.TIMED_WAITING) {
                    return;
                }
                assertTrue(System.nanoTime() - deadline < 0, "the roll neither returned nor waited: " + s);
                Thread.sleep(1);
            }
        }
    }

    /** Once armed, holds the thread that next zero-fills the temp file {@code next} until released. */
    private static final class HoldPreallocation extends ForwardingStorage {
        final Path next;
        volatile boolean armed;
        final CountDownLatch reached = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);

        HoldPreallocation(FaultyStorage inner, Path next) {
            super(inner);
            this.next = next;
        }

        @Override
        public StorageFile open(Path path, OpenMode mode) throws IOException {
            if (armed && path.equals(next)) {
                armed = false;
                reached.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted while held");
                }
            }
            return super.open(path, mode);
        }
    }

    /** Every fsync takes {@link #FSYNC_NANOS}. */
    private static final class SlowFsync extends ForwardingStorage {
        SlowFsync(FaultyStorage inner) {
            super(inner);
        }

        @Override
        protected void beforeForce(Path path) {
            LockSupport.parkNanos(FSYNC_NANOS);
        }
    }
}
