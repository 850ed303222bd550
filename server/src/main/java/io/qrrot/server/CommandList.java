package io.qrrot.server;

import io.qrrot.engine.CommandSpec;
import io.qrrot.engine.Engine;
import java.util.ArrayList;
import java.util.List;

/**
 * Every command a qrrot server answers, as the rows of its command table (the server's own commands and
 * the engine's data commands): what COMMAND DOCS describes, for a client's help and completion before it
 * has asked a server.
 */
public final class CommandList {
    private CommandList() {
    }

    /** The rows, sorted by name. */
    public static List<CommandSpec> all() {
        List<CommandSpec> out = new ArrayList<>();
        for (CommandTable.Entry e : new CommandTable(Engine.commandSpecs()).all()) {
            out.add(e.spec());
        }
        return List.copyOf(out);
    }
}
