package io.qrrot.cli.serve;

import sun.misc.Signal;

/**
 * SIGTERM and SIGINT stop the server the way SHUTDOWN does: the handler starts the graceful stop, the main
 * thread finishes it and the process exits with its own status (0 after a clean stop), as Redis does. Left
 * to the JVM, these signals run the shutdown hooks and exit with 143 or 130, which service managers read as a
 * failure. The shutdown hook stays as the fallback for every other way the JVM may stop.
 */
final class StopSignals {
    private StopSignals() {
    }

    static void install(Runnable stop) {
        for (String name : new String[] {"TERM", "INT"}) {
            try {
                Signal.handle(new Signal(name), signal -> stop.run());
            } catch (IllegalArgumentException e) {
                // This JVM reserves the signal (a -Xrs run, say): the shutdown hook handles it.
            }
        }
    }
}
