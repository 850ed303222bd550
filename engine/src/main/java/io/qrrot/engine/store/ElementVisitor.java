package io.qrrot.engine.store;

/**
 * Receives the elements of an {@link ElementTable} from {@link ElementTable#scan}. Element and payload are
 * given as off-heap addresses and lengths rather than as views so that a scan allocates nothing per element;
 * they are valid only during the call. The visitor runs under the shard lock and must not modify the table
 * (collect what to change and do it after the scan call returns).
 */
@FunctionalInterface
interface ElementVisitor {
    /**
     * @param elementAddress address of the element bytes (a hash field, a set member)
     * @param elementLength  their number, possibly 0
     * @param payloadAddress address of the payload bytes (a hash value); for a member-only table, the address
     *                       just past the element, with {@code payloadLength} 0
     * @param payloadLength  their number, possibly 0
     */
    void visit(long elementAddress, int elementLength, long payloadAddress, int payloadLength);
}
