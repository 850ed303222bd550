package io.qrrot.cli.client;

import io.qrrot.cli.help.CommandHelp;
import io.qrrot.cli.resp.Reply;
import io.qrrot.cli.resp.RespException;
import java.util.List;

/**
 * What the REPL and {@code qrrot cli COMMAND…} send commands through: a server connection
 * ({@link ClientSession}) or a data directory opened in this process
 * ({@link io.qrrot.cli.embedded.EmbeddedSession}). Replies come back as the same {@link Reply} trees, so they
 * render identically. Not thread-safe.
 */
public interface CommandSession extends AutoCloseable {

    /** Connects now if not connected (a no-op where there is nothing to connect). */
    void connect() throws RespException;

    boolean isConnected();

    /** Runs one command and returns its reply; a write's reply only once the write is durable. */
    Reply call(List<byte[]> args) throws RespException;

    /** What the prompt shows, e.g. {@code 127.0.0.1:6379> } or {@code 127.0.0.1:6379(TX)> }. */
    String prompt();

    /** The commands the other side knows beyond the built-in list, for help, completion and hints. */
    List<CommandHelp> commandDocs() throws RespException;

    @Override
    void close();
}
