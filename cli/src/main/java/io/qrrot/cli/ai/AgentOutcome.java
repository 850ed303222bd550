package io.qrrot.cli.ai;

/**
 * How an agent request ended, with the line to show for it.
 *
 * @param kind    what happened
 * @param message one line for the user (empty for a plain answer)
 */
public record AgentOutcome(Kind kind, String message) {

    public enum Kind {
        /** The model answered without proposing writes. */
        ANSWERED(0),
        /** The confirmed plan committed and every command succeeded. */
        EXECUTED(0),
        /** The user said no: nothing was written. */
        DECLINED(0),
        /** No one could confirm (no terminal, no --yes): nothing was written. */
        NOT_CONFIRMED(1),
        /** A key the agent read changed before the plan ran: nothing was written. */
        ABORTED(1),
        /** The plan committed but some commands failed on their own (the others were applied). */
        PARTIAL(1),
        /** Model, network or database failure, unusable model output, or the step limit. */
        FAILED(1);

        private final int exitCode;

        Kind(int exitCode) {
            this.exitCode = exitCode;
        }
    }

    public int exitCode() {
        return kind.exitCode;
    }

    public boolean wroteNothing() {
        return kind != Kind.EXECUTED && kind != Kind.PARTIAL;
    }
}
