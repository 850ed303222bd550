package io.qrrot.cli.ai;

import io.qrrot.cli.resp.Reply;
import java.util.List;

/** What became of a confirmed plan. */
public sealed interface PlanResult {

    /**
     * The transaction ran: one reply per command, in order. A command may still have failed on its own (an
     * error reply, e.g. INCR of a non-number); the others were applied.
     */
    record Committed(List<Reply> replies) implements PlanResult {
        public Committed {
            replies = List.copyOf(replies);
        }

        public boolean anyFailed() {
            return replies.stream().anyMatch(Reply::isError);
        }
    }

    /** A watched key changed since it was read: nothing was written. */
    record Aborted() implements PlanResult {
    }

    /** The database refused the transaction before running it (e.g. a command it does not know): nothing was written. */
    record Rejected(String reason) implements PlanResult {
    }

    /**
     * The connection failed before the transaction's commands and {@code EXEC} were sent (while watching the keys
     * or starting the transaction): nothing was written.
     */
    record NotSent(String reason) implements PlanResult {
    }
}
