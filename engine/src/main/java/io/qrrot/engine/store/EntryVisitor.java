package io.qrrot.engine.store;

/**
 * Receives entries from {@link Shard#scan}. The view is valid only during the call; the visitor runs while
 * the shard lock is held and must not modify the shard (collect keys and act after the scan returns).
 */
@FunctionalInterface
public interface EntryVisitor {
    void visit(EntryView entry);
}
