package io.qrrot.cli;

import io.qrrot.recovery.DurableQrrot;
import io.qrrot.recovery.Qrrot;
import io.qrrot.recovery.QrrotOptions;
import java.io.IOException;
import java.nio.file.Path;

/** Opens a data directory in this process: for {@code qrrot cli --embedded} and {@code qrrot ai --embedded}. */
@FunctionalInterface
public interface DatabaseOpener {
    /**
     * The durable database with the default options (fsync always), making a new data directory where there
     * is none: the verbs check the path first ({@code EmbeddedDatabase}), so it is only asked to when told to.
     */
    DatabaseOpener DURABLE = dir -> DurableQrrot.open(dir, QrrotOptions.defaults());

    /**
     * Opens {@code dir}; the caller closes what it gets.
     *
     * @throws IOException with an actionable message, e.g. when a server holds the directory's lock
     */
    Qrrot open(Path dir) throws IOException;
}
