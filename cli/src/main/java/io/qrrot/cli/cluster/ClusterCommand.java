package io.qrrot.cli.cluster;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code qrrot cluster status}: a replicated group (serve --cluster) seen from the outside. */
@Command(name = "cluster", mixinStandardHelpOptions = true,
        description = {"Look at a replicated group of qrrot servers (qrrot serve --cluster).",
                "Exit status: 0 ok, 1 the group is not healthy or could not be reached, 2 usage."},
        subcommands = {ClusterStatusCommand.class})
public final class ClusterCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        CommandLine cl = spec.commandLine();
        cl.getErr().println("qrrot cluster: missing a command (status)");
        cl.usage(cl.getErr());
        return CommandLine.ExitCode.USAGE;
    }
}
