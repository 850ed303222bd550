package io.qrrot.server;

/** The refusal a non-loopback client gets while protected mode is on and no password is set. */
final class ProtectedMode {
    private ProtectedMode() {
    }

    static final String DENIED = "DENIED qrrot is running in protected mode because protected mode is enabled "
            + "and no password is set for the default user. In this mode connections are only accepted from "
            + "the loopback interface. If you want to connect from external computers to qrrot you may adopt "
            + "one of the following solutions: 1) Just disable protected mode sending the command "
            + "'CONFIG SET protected-mode no' from the loopback interface by connecting to qrrot from the same "
            + "host the server is running, however MAKE SURE qrrot is not publicly accessible from internet if "
            + "you do so. 2) Set a password with 'CONFIG SET requirepass <password>' from the loopback "
            + "interface, or start the server with --requirepass <password>. 3) If you started the server "
            + "manually just for testing, restart it with the '--protected-mode no' option. NOTE: You only need "
            + "to do one of the above things in order for the server to start accepting connections from the "
            + "outside.";
}
