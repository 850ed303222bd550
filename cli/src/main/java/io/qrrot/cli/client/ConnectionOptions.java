package io.qrrot.cli.client;

import io.qrrot.cli.resp.RespConfig;
import java.util.Map;
import picocli.CommandLine.Option;

/** The connection options shared by {@code qrrot cli} and {@code qrrot ai} (redis-cli's names). */
public final class ConnectionOptions {
    @Option(names = "-h", paramLabel = "HOST", defaultValue = "127.0.0.1",
            description = "Server host (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "-p", paramLabel = "PORT", defaultValue = "6379",
            description = "Server port (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "-a", paramLabel = "PASSWORD",
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
