package io.qrrot.engine.store;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import org.agrona.collections.Long2LongHashMap;

/**
 * Read-only access to the slot array of an Agrona {@link Long2LongHashMap}, which its public API does not
 * expose. The cursor scan and random sampling need slot order: {@code entries[2 * slot]} holds a key and
 * {@code entries[2 * slot + 1]} its value, the missing value marking an empty slot; linear probing to the
 * next slot; removal shifts later entries of a run back.
 *
 * <p>The layout is checked once when this class loads against a real map, so an Agrona upgrade that changes
 * it fails at start with a clear message instead of scanning wrongly. Nothing here ever writes the array.
 */
final class IndexSlots {
    private static final VarHandle ENTRIES;

    static {
        try {
            ENTRIES = MethodHandles.privateLookupIn(Long2LongHashMap.class, MethodHandles.lookup())
                    .findVarHandle(Long2LongHashMap.class, "entries", long[].class);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new ExceptionInInitializerError(new IllegalStateException(
                    "cannot read Agrona Long2LongHashMap.entries (is agrona 2.6.0 on the class path?): " + e));
        }
        verifyLayout();
    }

    private IndexSlots() {
    }

    /** The map's current slot array; valid until the map is next modified. */
    static long[] entries(Long2LongHashMap map) {
        return (long[]) ENTRIES.get(map);
    }

    private static void verifyLayout() {
        Long2LongHashMap probe = new Long2LongHashMap(8, 0.5f, 0L, true);
        long[] keys = {42L, -7L, 1L << 40, 0L};
        for (int i = 0; i < keys.length; i++) {
            probe.put(keys[i], 100 + i);
        }
        long[] entries = entries(probe);
        int found = 0;
        for (int slot = 0; slot < entries.length / 2; slot++) {
            long value = entries[2 * slot + 1];
            if (value != 0) {
                int k = (int) (value - 100);
                if (k < 0 || k >= keys.length || entries[2 * slot] != keys[k]) {
                    throw layoutChanged();
                }
                found++;
            }
        }
        if (found != keys.length || entries.length != 2 * probe.capacity()) {
            throw layoutChanged();
        }
    }

    private static ExceptionInInitializerError layoutChanged() {
        return new ExceptionInInitializerError(new IllegalStateException(
                "Agrona Long2LongHashMap no longer stores key/value pairs in one long[] as 2.6.0 does;"
                        + " the store's scan depends on it: pin agrona 2.6.0 or adapt IndexSlots"));
    }
}
