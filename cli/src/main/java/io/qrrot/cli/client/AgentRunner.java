package io.qrrot.cli.client;

import io.qrrot.cli.ai.Agent;
import io.qrrot.cli.ai.AgentConfig;
import io.qrrot.cli.ai.AgentOutcome;
import io.qrrot.cli.ai.AgentUi;
import io.qrrot.cli.ai.EmbeddedStore;
import io.qrrot.cli.ai.RespStore;
import io.qrrot.cli.resp.RespConfig;
import io.qrrot.cli.resp.RespConnection;
import io.qrrot.cli.resp.RespException;
import io.qrrot.recovery.Qrrot;

/**
 * Runs one agent request against a server, over a connection of its own, or against a database opened in
 * this process, over a session of its own (either way its WATCHes are its own).
 */
public final class AgentRunner {
    /** Reads the agent makes must not hang forever on a stuck server. */
    static final int STORE_READ_TIMEOUT_MILLIS = 30_000;

    private AgentRunner() {
    }

    public static AgentOutcome run(AgentConfig agent, RespConfig server, String request, AgentUi ui) {
        RespConfig cfg = server.readTimeoutMillis() == 0 ? server.withReadTimeoutMillis(STORE_READ_TIMEOUT_MILLIS) : server;
        RespConnection conn;
        try {
            conn = RespConnection.open(cfg.withResp3(false));
        } catch (RespException e) {
            return new AgentOutcome(AgentOutcome.Kind.FAILED, e.getMessage() + "; nothing was written");
        }
        try (RespStore store = new RespStore(conn); Agent a = new Agent(agent, store, ui)) {
            return a.run(request);
        }
    }

    /** The request against {@code db}, which stays open. */
    public static AgentOutcome runEmbedded(AgentConfig agent, Qrrot db, String request, AgentUi ui) {
        try (EmbeddedStore store = new EmbeddedStore(db); Agent a = new Agent(agent, store, ui)) {
            return a.run(request);
        }
    }
}
