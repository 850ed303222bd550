package io.qrrot.cli.ai;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * The one-shot {@code qrrot ai} command's UI: the answer and results on stdout; progress, the model's
 * explanation of a plan, the plan box and the question on stderr (so stdout stays clean for scripts); the
 * answer read from stdin.
 */
public final class StreamUi implements AgentUi {
    private final PrintStream out;
    private final PrintStream err;
    private final InputStream in;
    private final boolean interactive;
    private final boolean assumeYes;

    /**
     * @param interactive a person is at the terminal and can answer
     * @param assumeYes   {@code --yes}: run a plan without asking
     */
    public StreamUi(PrintStream out, PrintStream err, InputStream in, boolean interactive, boolean assumeYes) {
        this.out = out;
        this.err = err;
        this.in = in;
        this.interactive = interactive;
        this.assumeYes = assumeYes;
    }

    @Override
    public void progress(String line) {
        err.println("  " + line);
    }

    @Override
    public void say(String text) {
        out.println(text);
    }

    @Override
    public void explain(String text) {
        err.println(text);
    }

    @Override
    public Confirmation confirm(Plan plan) {
        err.print(plan.box());
        if (assumeYes) {
            err.println("Confirmed by --yes.");
            return Confirmation.YES;
        }
        if (!interactive) {
            return Confirmation.CANNOT_ASK;
        }
        err.print(question(plan));
        err.flush();
        try {
            String line = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).readLine();
            return line == null ? Confirmation.CANNOT_ASK : isYes(line) ? Confirmation.YES : Confirmation.NO;
        } catch (IOException e) {
            return Confirmation.CANNOT_ASK;
        }
    }

    /** The question after the box. */
    public static String question(Plan plan) {
        int n = plan.commands().size();
        return "Run " + (n == 1 ? "this write" : "these " + n + " writes") + "? Type yes to confirm: ";
    }

    /** Only "yes" or "y" (any case) is a yes. */
    public static boolean isYes(String answer) {
        String a = answer.strip().toLowerCase(Locale.ROOT);
        return a.equals("yes") || a.equals("y");
    }
}
