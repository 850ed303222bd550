package io.qrrot.cli.ai;

/**
 * How an agent request ended, with qrrot's own line for it (never the model's words).
 *
 * @param kind    what happened
 * @param message one line for the user (empty for a plain answer); control characters in it are escaped, so
 *                text the model chose (a key name, a command) cannot break it into lines of its own
 */
public record AgentOutcome(Kind kind, String message) {

    /** Exit status of a request whose plan the write policy refused: nothing was written. */
    public static final int EXIT_REFUSED = 3;
    /** Exit status of a request whose plan was not confirmed (answered no, or nobody to ask): nothing was written. */
    public static final int EXIT_DECLINED = 4;
    /** Exit status of a request whose confirmed plan did not run (data changed, refused by the database). */
    public static final int EXIT_ABORTED = 5;

    /** The first words of every outcome whose plan did not run. */
    public static final String NOTHING_WRITTEN = "Nothing was written: ";

    public AgentOutcome {
        message = Shown.oneLine(message);
    }

    public enum Kind {
        /** The model answered without proposing writes. */
        ANSWERED(0),
        /** The confirmed plan committed and every command succeeded. */
        EXECUTED(0),
        /** The write policy refused the model's last proposal and no acceptable one followed: nothing was written. */
        REFUSED(EXIT_REFUSED),
        /** The user said no: nothing was written. */
        DECLINED(EXIT_DECLINED),
        /** No one could confirm (no terminal, no --yes): nothing was written. */
        NOT_CONFIRMED(EXIT_DECLINED),
        /**
         * The confirmed plan did not run: a key the agent read changed, the database refused the transaction, or
         * the connection failed before the transaction was sent. Nothing was written.
         */
        ABORTED(EXIT_ABORTED),
        /** The plan committed but some commands failed on their own (the others were applied). */
        PARTIAL(1),
        /** The connection failed while the plan was being sent: it ran whole or not at all, which is unknown. */
        UNCERTAIN(1),
        /** Model, network or database failure, unusable model output, or the step limit: nothing was written. */
        FAILED(1);

        private final int exitCode;

        Kind(int exitCode) {
            this.exitCode = exitCode;
        }
    }

    public int exitCode() {
        return kind.exitCode;
    }

    /** Whether nothing was written for certain. */
    public boolean wroteNothing() {
        return kind != Kind.EXECUTED && kind != Kind.PARTIAL && kind != Kind.UNCERTAIN;
    }
}
