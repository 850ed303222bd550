package io.qrrot.server;

import io.qrrot.engine.CommandArgs;
import io.qrrot.engine.CommandSpec;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * Every command the server knows, looked up by the raw bytes of a request's first argument without
 * allocating: an open-addressing table keyed by a case-insensitive hash of the name. Immutable after
 * construction; safe to share between event loops.
 */
final class CommandTable {
    /**
     * One command: its spec, the server handler if the server answers it itself (else the facade), and its
     * position in {@link #all()} (where {@link CommandStats} counts it).
     */
    record Entry(CommandSpec spec, ServerCommand server, byte[] upperName, String lowerName, int index) {
    }

    private final Entry[] slots;
    private final int mask;
    private final List<Entry> all;
    /** Indexes of the transaction commands, which command counting treats apart (-1: not in the table). */
    final int multi;
    final int exec;
    final int discard;

    /** Server rows win over facade rows of the same name. */
    CommandTable(List<CommandSpec> facadeCommands) {
        List<Entry> entries = new ArrayList<>();
        java.util.Set<String> names = new java.util.HashSet<>();
        for (ServerCommand c : ServerCommand.values()) {
            entries.add(entry(c.spec, c));
            names.add(c.spec.name());
        }
        for (CommandSpec s : facadeCommands) {
            String upper = s.name().toUpperCase(Locale.ROOT);
            if (names.add(upper)) {
                entries.add(entry(s, null));
            }
        }
        entries.sort((a, b) -> a.lowerName.compareTo(b.lowerName));
        for (int i = 0; i < entries.size(); i++) {
            Entry e = entries.get(i);
            entries.set(i, new Entry(e.spec, e.server, e.upperName, e.lowerName, i));
        }
        int size = Integer.highestOneBit(Math.max(16, entries.size() * 4) - 1) << 1;
        slots = new Entry[size];
        mask = size - 1;
        for (Entry e : entries) {
            int i = hash(e.upperName, 0, e.upperName.length) & mask;
            while (slots[i] != null) {
                i = (i + 1) & mask;
            }
            slots[i] = e;
        }
        all = Collections.unmodifiableList(entries);
        multi = indexOf("MULTI");
        exec = indexOf("EXEC");
        discard = indexOf("DISCARD");
    }

    private static Entry entry(CommandSpec spec, ServerCommand server) {
        String upper = spec.name().toUpperCase(Locale.ROOT);
        return new Entry(spec, server, upper.getBytes(StandardCharsets.US_ASCII), upper.toLowerCase(Locale.ROOT), -1);
    }

    /** The command named by argument 0, or null when unknown. */
    Entry lookup(CommandArgs args) {
        byte[] a = args.array();
        int off = args.offset(0);
        int len = args.length(0);
        int i = hash(a, off, len) & mask;
        Entry e;
        while ((e = slots[i]) != null) {
            if (equalsIgnoreCase(e.upperName, a, off, len)) {
                return e;
            }
            i = (i + 1) & mask;
        }
        return null;
    }

    /** Looks a name up given as a string (COMMAND INFO name). */
    Entry lookup(String name) {
        byte[] b = name.getBytes(StandardCharsets.UTF_8);
        int i = hash(b, 0, b.length) & mask;
        Entry e;
        while ((e = slots[i]) != null) {
            if (equalsIgnoreCase(e.upperName, b, 0, b.length)) {
                return e;
            }
            i = (i + 1) & mask;
        }
        return null;
    }

    private int indexOf(String name) {
        Entry e = lookup(name);
        return e == null ? -1 : e.index();
    }

    /** All commands sorted by name; an entry's index is its position here. */
    List<Entry> all() {
        return all;
    }

    int size() {
        return all.size();
    }

    private static int hash(byte[] a, int off, int len) {
        int h = 0x811C9DC5;
        for (int i = off; i < off + len; i++) {
            int c = a[i];
            if (c >= 'a' && c <= 'z') {
                c -= 32;
            }
            h = (h ^ c) * 0x01000193;
        }
        return h ^ (h >>> 16);
    }

    private static boolean equalsIgnoreCase(byte[] upper, byte[] a, int off, int len) {
        if (upper.length != len) {
            return false;
        }
        for (int i = 0; i < len; i++) {
            int c = a[off + i];
            if (c >= 'a' && c <= 'z') {
                c -= 32;
            }
            if (c != upper[i]) {
                return false;
            }
        }
        return true;
    }
}
