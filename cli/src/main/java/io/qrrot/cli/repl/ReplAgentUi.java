package io.qrrot.cli.repl;

import io.qrrot.cli.ai.AgentUi;
import io.qrrot.cli.ai.Plan;
import io.qrrot.cli.ai.StreamUi;
import java.io.PrintWriter;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.UserInterruptException;

/** The agent inside the REPL: everything on the terminal; the confirmation read with the line reader. */
final class ReplAgentUi implements AgentUi {
    private final LineReader reader;
    private final PrintWriter out;

    ReplAgentUi(LineReader reader) {
        this.reader = reader;
        this.out = reader.getTerminal().writer();
    }

    @Override
    public void progress(String line) {
        out.println("  " + line);
        out.flush();
    }

    @Override
    public void say(String text) {
        out.println(text);
        out.flush();
    }

    @Override
    public Confirmation confirm(Plan plan) {
        out.print(plan.box());
        out.flush();
        // Not recorded in the history: a "yes" must never be recalled by mistake.
        Object before = reader.getVariable(LineReader.DISABLE_HISTORY);
        reader.setVariable(LineReader.DISABLE_HISTORY, Boolean.TRUE);
        try {
            String answer = reader.readLine(StreamUi.question(plan));
            return StreamUi.isYes(answer) ? Confirmation.YES : Confirmation.NO;
        } catch (UserInterruptException | EndOfFileException e) {
            return Confirmation.NO;
        } finally {
            reader.setVariable(LineReader.DISABLE_HISTORY, before == null ? Boolean.FALSE : before);
        }
    }
}
