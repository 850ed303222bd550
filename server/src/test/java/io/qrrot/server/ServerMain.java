package io.qrrot.server;

import io.qrrot.recovery.DurableQrrot;
import io.qrrot.recovery.QrrotOptions;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A server in a JVM of its own, for the tests that must not risk the test JVM ({@link ChildServerTest}):
 * {@code ServerMain DIR [CLIENT-MEMORY-BUDGET]}. Prints {@code port N} once it listens; then reads commands
 * from stdin: {@code stop-loops} makes its event loop threads die the way an error escaping Netty's loop would.
 * Exits when stdin closes.
 */
public final class ServerMain {
    private ServerMain() {
    }

    public static void main(String[] args) throws Exception {
        DurableQrrot db = DurableQrrot.open(Path.of(args[0]), QrrotOptions.defaults().withShards(8));
        ServerOptions options = ServerOptions.defaults().withPort(0).withIoThreads(1);
        if (args.length > 1) {
            options = options.withClientMemoryBudget(Long.parseLong(args[1]));
        }
        QrrotServer server = new QrrotServer(db, options).start();
        System.out.println("port " + server.port());
        System.out.flush();
        BufferedReader stdin = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = stdin.readLine()) != null) {
            if (line.equals("stop-loops")) {
                stopLoops();
            }
        }
        server.close();
        db.close();
    }

    /**
     * Stops the event loop threads with {@link Thread#stop()}: a {@link ThreadDeath} thrown wherever the thread
     * is, like an error thrown inside Netty's loop. One thrown into a connection's code is contained there (the
     * thread lives on), so a thread still alive a while later is stopped again. Once they are gone the server
     * should have halted the process; if it is still running after that, this says so.
     */
    @SuppressWarnings("deprecation")
    private static void stopLoops() throws InterruptedException {
        for (int attempt = 0; attempt < 50; attempt++) {
            List<Thread> loops = new ArrayList<>();
            for (Thread t : Thread.getAllStackTraces().keySet()) {
                if (t.getName().startsWith("qrrot-io-") && t.isAlive()) {
                    loops.add(t);
                }
            }
            if (loops.isEmpty()) {
                Thread.sleep(10_000);
                System.out.println("event loops gone, process still running");
                System.out.flush();
                return;
            }
            for (Thread t : loops) {
                t.stop();
                t.join(2000);
            }
        }
    }
}
