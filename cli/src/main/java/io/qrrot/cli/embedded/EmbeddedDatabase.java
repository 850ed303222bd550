package io.qrrot.cli.embedded;

import io.qrrot.cli.CliContext;
import io.qrrot.cli.ops.Problems;
import io.qrrot.recovery.DataDirectory;
import io.qrrot.recovery.Qrrot;
import java.io.IOException;
import java.nio.file.Path;

/** Opening and closing the data directory of an embedded run, with the errors reported the same way. */
public final class EmbeddedDatabase {
    private EmbeddedDatabase() {
    }

    /**
     * Opens {@code dir} through the context's opener (recovery runs, the lock is taken), after checking that
     * it is a data directory ({@link DataDirectory#check}): a mistyped path, a file or a live server's
     * {@code wal/} directory never gets a new database made inside it.
     *
     * @param verb         how the command names itself in messages, e.g. {@code qrrot cli}
     * @param createOption the option that lets a missing path or an empty directory become a new data
     *                     directory, when the verb has one and it was given ({@code --create}); null otherwise
     * @param create       whether it was given
     * @return the database, or null after printing why it could not be opened (not a data directory, a
     *         server holding the directory, corruption …) to stderr
     */
    public static Qrrot open(CliContext ctx, String verb, Path dir, String createOption, boolean create) {
        DataDirectory.Kind kind;
        try {
            kind = DataDirectory.check(dir, create ? DataDirectory.Mode.CREATE : DataDirectory.Mode.EXISTING);
        } catch (DataDirectory.NotADataDirectoryException e) {
            String why = Problems.notADataDirectory(e);
            boolean creatable = e.kind() == DataDirectory.Kind.MISSING && why.equals(e.getMessage())
                    || e.kind() == DataDirectory.Kind.EMPTY;
            ctx.err().println(verb + ": " + why + (creatable && createOption != null
                    ? "; pass " + createOption + " to make a new data directory there" : ""));
            return null;
        } catch (IOException e) {
            ctx.err().println(verb + ": cannot open " + dir + ": " + Problems.describeDirectory(e));
            return null;
        }
        try {
            Qrrot db = ctx.databases().open(dir);
            if (kind != DataDirectory.Kind.DATA_DIRECTORY) {
                ctx.err().println(verb + ": created a new data directory " + dir);
            }
            return db;
        } catch (IOException e) {
            ctx.err().println(verb + ": cannot open " + dir + ": " + Problems.describeDirectory(e));
            return null;
        } catch (RuntimeException e) {
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
