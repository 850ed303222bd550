package io.qrrot.cli.ai;

import java.nio.charset.StandardCharsets;

/**
 * Caps how much stored data one step sends to the model: each value is cut to {@code maxValueBytes} and all
 * values and key names of a step together to {@code maxStepBytes}. What is cut is marked, with the real
 * size, so the model knows it saw a prefix. Not thread-safe; one per step.
 */
final class DataBudget {
    private final int maxValueBytes;
    private final int maxStepBytes;
    private int remaining;

    DataBudget(int maxValueBytes, int maxStepBytes) {
        this.maxValueBytes = maxValueBytes;
        this.maxStepBytes = maxStepBytes;
        this.remaining = maxStepBytes;
    }

    /** The value as text for the model, cut to the budget with a marker. */
    String value(byte[] bytes) {
        int limit = Math.min(maxValueBytes, remaining);
        if (limit <= 0) {
            return "[omitted: this step already sent " + maxStepBytes + " bytes of data; the value has "
                    + bytes.length + " bytes. Read fewer keys per step]";
        }
        if (bytes.length <= limit) {
            remaining -= bytes.length;
            return new String(bytes, StandardCharsets.UTF_8);
        }
        int cut = utf8Boundary(bytes, limit);
        remaining -= cut;
        return new String(bytes, 0, cut, StandardCharsets.UTF_8) + "…[truncated: first " + cut + " of "
                + bytes.length + " bytes shown]";
    }

    /** Charges a key name (scan results); false when the budget cannot take it. */
    boolean take(String key) {
        int n = key.getBytes(StandardCharsets.UTF_8).length;
        if (n > remaining) {
            return false;
        }
        remaining -= n;
        return true;
    }

    boolean exhausted() {
        return remaining <= 0;
    }

    /** The largest cut ≤ limit that does not split a UTF-8 sequence. */
    private static int utf8Boundary(byte[] b, int limit) {
        int cut = limit;
        while (cut > 0 && cut < b.length && (b[cut] & 0xC0) == 0x80) {
            cut--;
        }
        return cut;
    }
}
