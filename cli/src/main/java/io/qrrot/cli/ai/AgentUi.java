package io.qrrot.cli.ai;

/** Where the agent talks to the user. Implementations: the one-shot command's streams, the REPL's terminal. */
public interface AgentUi {

    /** A progress line: a read being made, a refused proposal. Not the answer. */
    void progress(String line);

    /** The answer (the model's, labelled as such) or the plan's results, and qrrot's closing line. */
    void say(String text);

    /**
     * The model's explanation of a proposal, labelled as the model's, shown just before the plan: context for
     * the decision, not part of the answer (the one-shot command prints it on stderr, with the plan).
     */
    default void explain(String text) {
        say(text);
    }

    /**
     * Shows the plan (its {@link Plan#box()}) and asks whether to run it.
     *
     * @return {@link Confirmation#YES} only when the user said yes (or {@code --yes} was given)
     */
    Confirmation confirm(Plan plan);

    /** The user's decision on a plan. */
    enum Confirmation {
        /** Run it. */
        YES,
        /** The user said no (or anything but yes). */
        NO,
        /** Nobody can be asked (no terminal) and --yes was not given. */
        CANNOT_ASK
    }
}
