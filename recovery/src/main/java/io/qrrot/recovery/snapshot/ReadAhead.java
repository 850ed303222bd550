package io.qrrot.recovery.snapshot;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Reads and CRC-checks blocks on a second thread while the caller's thread decodes and applies the batch
 * before: the file read and CRC run on one core, the visitor on the other. Batches travel through two
 * bounded queues (free → producer → filled → consumer → free), so at most {@link #BATCHES} are in memory.
 * A failure of the producer is delivered in order, after every batch it filled before it.
 */
final class ReadAhead {
    static final int BATCHES = 3;
    /** Put in the free queue to wake a producer that must stop. */
    private static final BlockBatch STOP = new BlockBatch(0);

    private ReadAhead() {
    }

    /** What the caller's thread does with each filled batch: decode it, returning the records visited. */
    @FunctionalInterface
    interface BatchSink {
        long accept(BlockBatch b) throws IOException;
    }

    /** Visits every record; returns how many. The producer thread has ended when this returns or throws. */
    static long run(BlockSource source, BatchSink sink, int batchCapacity, String threadName) throws IOException {
        ArrayBlockingQueue<BlockBatch> free = new ArrayBlockingQueue<>(BATCHES + 1);
        ArrayBlockingQueue<BlockBatch> filled = new ArrayBlockingQueue<>(BATCHES + 1);
        BlockBatch[] batches = new BlockBatch[BATCHES];
        for (int i = 0; i < BATCHES; i++) {
            batches[i] = new BlockBatch(batchCapacity);
            free.add(batches[i]);
        }
        AtomicBoolean stop = new AtomicBoolean();
        Thread producer = new Thread(() -> produce(source, free, filled, stop), threadName);
        producer.setDaemon(true);
        producer.start();
        long visited = 0;
        try {
            while (true) {
                BlockBatch b = filled.take();
                if (b.error != null) {
                    throw rethrow(b.error, "snapshot read-ahead failed");
                }
                visited += sink.accept(b);
                if (b.last) {
                    return visited;
                }
                free.put(b);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while reading a snapshot");
        } finally {
            stop.set(true);
            free.offer(STOP);
            joinUninterruptibly(producer);
            for (BlockBatch b : batches) {
                b.free();
            }
        }
    }

    private static void produce(BlockSource source, ArrayBlockingQueue<BlockBatch> free,
                                ArrayBlockingQueue<BlockBatch> filled, AtomicBoolean stop) {
        try {
            while (true) {
                BlockBatch b = free.take();
                if (b == STOP || stop.get()) {
                    return;
                }
                try {
                    source.fill(b);
                } catch (Throwable t) {
                    b.error = t;
                    b.last = true;
                }
                filled.put(b);
                if (b.last) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A failure from another thread, rethrown here: unchecked ones as they are, anything else as an IOException. */
    static IOException rethrow(Throwable t, String what) {
        if (t instanceof IOException io) {
            return io;
        }
        if (t instanceof RuntimeException re) {
            throw re;
        }
        if (t instanceof Error err) {
            throw err;
        }
        return new IOException(what, t);
    }

    /** Waits for {@code t} even when interrupted; the interrupt is kept for the caller. */
    static void joinUninterruptibly(Thread t) {
        boolean interrupted = false;
        while (true) {
            try {
                t.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
