package io.qrrot.cli.embedded;

import io.qrrot.cli.CliContext;
import io.qrrot.recovery.Qrrot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Opening and closing the data directory of an embedded run, with the errors reported the same way. */
public final class EmbeddedDatabase {
    private EmbeddedDatabase() {
    }

    /**
     * Opens {@code dir} through the context's opener (recovery runs, the lock is taken).
     *
     * @param verb how the command names itself in messages, e.g. {@code qrrot cli}
     * @return the database, or null after printing why it could not be opened (a server holding the
     *         directory, corruption …) to stderr
     */
    public static Qrrot open(CliContext ctx, String verb, Path dir) {
        boolean existed = Files.exists(dir);
        try {
            Qrrot db = ctx.databases().open(dir);
            if (!existed) {
                ctx.err().println(verb + ": created a new data directory " + dir);
            }
            return db;
        } catch (IOException | RuntimeException e) {
            ctx.err().println(verb + ": cannot open " + dir + ": " + e.getMessage());
            return null;
        }
    }

    /**
     * Closes the database (drains and syncs its log, releases the lock).
     *
     * @return false after printing why closing failed
     */
    public static boolean close(CliContext ctx, String verb, Qrrot db) {
        try {
            db.close();
            return true;
        } catch (IOException | RuntimeException e) {
            ctx.err().println(verb + ": closing the data directory failed: " + e.getMessage());
            return false;
        }
    }
}
