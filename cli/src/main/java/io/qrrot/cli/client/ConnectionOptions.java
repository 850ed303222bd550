package io.qrrot.cli.client;

import io.qrrot.cli.resp.RespConfig;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** The connection options shared by {@code qrrot cli} and {@code qrrot ai} (redis-cli's names). */
public final class ConnectionOptions {
    @Option(names = "-h", paramLabel = "HOST", defaultValue = "127.0.0.1",
            description = "Server host (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "-p", paramLabel = "PORT", defaultValue = "6379",
            description = "Server port (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = {"-a", "--pass", "--password"}, paramLabel = "PASSWORD",
            description = "Password for AUTH (or set QRROT_AUTH, which keeps it out of the process list).")
    String password;

    @Option(names = "--user", paramLabel = "USER", description = "ACL user name for AUTH.")
    String user;

    @Option(names = "-3", description = "Speak RESP3 (HELLO 3), falling back to RESP2 if the server refuses.")
    boolean resp3;

    @Option(names = "--connect-timeout", paramLabel = "SECONDS", defaultValue = "5",
            description = "How long to wait for the connection (default: ${DEFAULT-VALUE}).")
    double connectTimeoutSeconds;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "0",
            description = "How long to wait for each reply; 0 waits forever (default: ${DEFAULT-VALUE}).")
    double timeoutSeconds;

    /** The options that choose a server; they make no sense with a data directory opened in-process. */
    static final List<String> SERVER_OPTIONS = List.of("-h", "-p", "-a", "--user");

    /**
     * Refuses a server option given together with {@code option} (which opens a data directory instead).
     *
     * @throws CommandLine.ParameterException (exit status 2) naming both
     */
    public static void refuseServerOptionsWith(CommandLine cl, String verb, String option) {
        for (String o : SERVER_OPTIONS) {
            if (cl.getParseResult().hasMatchedOption(o)) {
                throw new CommandLine.ParameterException(cl, verb + ": " + option + " opens a data directory, " + o
                        + " chooses a server: give one or the other");
            }
        }
    }

    /** The connection settings; {@code resp3} forces RESP3 on (for --json). */
    public RespConfig config(Map<String, String> env, boolean forceResp3) {
        String pass = password != null ? password : env.get("QRROT_AUTH");
        return new RespConfig(host, port, user, pass, resp3 || forceResp3, millis(connectTimeoutSeconds),
                millis(timeoutSeconds));
    }

    private static int millis(double seconds) {
        return (int) Math.min(Integer.MAX_VALUE, Math.max(0, Math.round(seconds * 1000)));
    }
}
