package io.qrrot.cli.testing;

import io.qrrot.cli.CliContext;
import io.qrrot.cli.Main;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jline.terminal.Size;
import org.jline.terminal.impl.DumbTerminal;

/**
 * Drives {@code qrrot cli} as a person at a terminal would: keystrokes go into a JLine dumb terminal, whose
 * screen output is captured. Control keys are typed as characters: Tab {@code \t}, Enter {@code \r},
 * Ctrl-P (previous history line) {@code \u0010}.
 */
public final class ReplDriver {
    private final Map<String, String> env = new HashMap<>();
    private Path home;

    public record Session(int exit, String screen, String out, String err) {
        /** The screen without ANSI escapes and carriage returns. */
        public String plain() {
            return strip(screen);
        }

        /**
         * What each accepted line printed, in order: JLine turns bracketed paste off when a line is accepted
         * and on again at the next prompt, which delimits the output exactly.
         */
        public List<String> outputs() {
            List<String> out = new ArrayList<>();
            String[] chunks = screen.split(java.util.regex.Pattern.quote(PASTE_OFF), -1);
            for (int i = 1; i < chunks.length; i++) {
                int next = chunks[i].indexOf(PASTE_ON);
                out.add(strip(next < 0 ? chunks[i] : chunks[i].substring(0, next)));
            }
            return out;
        }

        /** The prompts shown, in order (each ends with "> " or "confirm: "). */
        public List<String> prompts() {
            List<String> out = new ArrayList<>();
            String[] chunks = screen.split(java.util.regex.Pattern.quote(PASTE_ON), -1);
            for (int i = 1; i < chunks.length; i++) {
                String p = strip(chunks[i]);
                int end = p.indexOf("> ");
                int confirm = p.indexOf("confirm: ");
                if (confirm >= 0 && (end < 0 || confirm < end)) {
                    out.add(p.substring(0, confirm + "confirm: ".length()));
                } else if (end >= 0) {
                    out.add(p.substring(0, end + 2));
                }
            }
            return out;
        }
    }

    private static final String PASTE_ON = "\u001b[?2004h";
    private static final String PASTE_OFF = "\u001b[?2004l";

    public static String strip(String s) {
        return s.replaceAll("\u001b\\[[0-9;?]*[A-Za-z]", "").replace("\r", "");
    }

    /** The REPL's home directory is {@code home}, given as {@code HOME} in its environment. */
    public ReplDriver(Path home) {
        this.home = home;
        env.put("HOME", home.toString());
    }

    public ReplDriver env(String k, String v) {
        env.put(k, v);
        return this;
    }

    /** Types {@code keys}, then the input ends (Ctrl-D), and returns what the screen showed. */
    public Session type(String keys, String... args) throws Exception {
        ByteArrayOutputStream screen = new ByteArrayOutputStream();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        // Type "ansi" (not "dumb"): JLine then runs its key bindings (Tab, Ctrl-P …) as on a real terminal.
        DumbTerminal terminal = new DumbTerminal("test", "ansi",
                new ByteArrayInputStream(keys.getBytes(StandardCharsets.UTF_8)), screen, StandardCharsets.UTF_8);
        terminal.setSize(new Size(200, 50));
        CliContext ctx = new CliContext(new ByteArrayInputStream(new byte[0]),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                Map.copyOf(env), true, true, home, () -> terminal);
        int exit = Main.run(ctx, args);
        return new Session(exit, screen.toString(StandardCharsets.UTF_8), out.toString(StandardCharsets.UTF_8),
                err.toString(StandardCharsets.UTF_8));
    }
}
