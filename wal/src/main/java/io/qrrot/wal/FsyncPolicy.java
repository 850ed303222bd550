package io.qrrot.wal;

/**
 * When an appended record counts as durable. Every policy survives kill -9 for acknowledged records (the
 * OS page cache outlives the process); only {@link #ALWAYS} promises the same for a power cut.
 */
public enum FsyncPolicy {
    /** Acknowledge after the fsync that covers the record; concurrent writers share one fsync. */
    ALWAYS,
    /** Acknowledge after write(); fsync in the background at least once a second. */
    EVERYSEC,
    /** Acknowledge after write(); the OS decides when to flush. */
    NO;

    /** Parses {@code always}, {@code everysec} or {@code no}, case-insensitively. */
    public static FsyncPolicy parse(String text) {
        for (FsyncPolicy p : values()) {
            if (p.name().equalsIgnoreCase(text)) {
                return p;
            }
        }
        throw new IllegalArgumentException("fsync policy must be always, everysec or no, not '" + text + "'");
    }
}
