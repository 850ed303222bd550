package io.qrrot.crash;

/**
 * What a key holds: a value (null = absent) and an absolute expiry in epoch millis (0 = none).
 */
public record KeyState(String value, long expireAt) {
    public static final KeyState ABSENT = new KeyState(null, 0);

    /** Whether the key is gone at {@code now}: absent, or its expiry has passed. */
    public boolean goneAt(long now) {
        return value == null || (expireAt != 0 && expireAt <= now);
    }

    @Override
    public String toString() {
        return value == null ? "(absent)" : "'" + value + "'" + (expireAt == 0 ? "" : " expiring at " + expireAt);
    }
}
