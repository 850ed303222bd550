/**
 * QRRT snapshots: the file format ({@link io.qrrot.recovery.snapshot.SnapshotFormat}), a streaming writer
 * that installs atomically ({@link io.qrrot.recovery.snapshot.SnapshotWriter}), a streaming reader that checks
 * every block before handing its records on ({@link io.qrrot.recovery.snapshot.SnapshotReader}), and the
 * snapshots directory ({@link io.qrrot.recovery.snapshot.SnapshotDirectory}). All file I/O goes through
 * {@link io.qrrot.storage.Storage}.
 *
 * <p>Threading: writer, reader and directory are each used by one thread at a time; the reader's optional
 * read-ahead thread is internal and never calls the visitor.
 */
package io.qrrot.recovery.snapshot;
