package io.qrrot.cli.cluster;

import io.qrrot.cli.CliContext;
import io.qrrot.cli.client.ConnectionOptions;
import io.qrrot.cli.resp.RespConfig;
import io.qrrot.cli.resp.RespException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code qrrot cluster status [-h HOST] [-p PORT] [-a PASSWORD]}: the group, its leader and each member's lag. */
@Command(name = "status", sortOptions = false,
        description = {"Connect to any member of a replicated group and print the group: each member (name, "
                + "address, role, whether it answers, applied index, lag behind the leader, id), the leader, the "
                + "term, the commit index and the snapshot state.",
                "Lag is the leader's commit index minus the last index the leader knows the follower holds.",
                "Exit status: 0 a leader is known and every member answers, 1 otherwise (or the server is not "
                        + "a member of a group, or cannot be reached), 2 usage."})
public final class ClusterStatusCommand implements Callable<Integer> {
    static final String VERB = "qrrot cluster status";
    /** Replies wait at most this long when --timeout does not say (a member that hangs must not hang status). */
    static final int DEFAULT_READ_TIMEOUT_MILLIS = 5_000;

    private final CliContext ctx;

    @Mixin
    ConnectionOptions connection;

    @Option(names = "--help", usageHelp = true, description = "Show this help and exit.")
    boolean help;

    public ClusterStatusCommand(CliContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() {
        RespConfig config = connection.config(ctx.env(), false).withResp3(false);
        if (config.readTimeoutMillis() == 0) {
            config = config.withReadTimeoutMillis(DEFAULT_READ_TIMEOUT_MILLIS);
        }
        GroupStatus status;
        try {
            status = GroupStatus.read(config);
        } catch (RespException e) {
            ctx.err().println(VERB + ": " + e.getMessage());
            return 1;
        }
        ctx.out().print(status.render());
        ctx.out().flush();
        return status.healthy() ? 0 : 1;
    }
}
