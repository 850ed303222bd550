package io.qrrot.crash;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * How the checker reads one key (GET, then PEXPIRETIME) and judges it against the acknowledged state, and how it
 * judges the queue workload's lists against the model.
 */
class CheckerTest {

    @Test
    void aKeyWhoseTtlRunsOutBetweenTheTwoReadsIsSeenAbsent() {
        assertEquals(KeyState.ABSENT, Checker.seen(null, -2));
        assertEquals(new KeyState("v", 0), Checker.seen("v", -1));
        assertEquals(new KeyState("v", 1_000), Checker.seen("v", 1_000));
        KeyState straddled = Checker.seen("v", -2);
        assertEquals(KeyState.ABSENT, straddled);

        // Acknowledged with a TTL that ends inside the check: gone or there, either is right.
        KeyState acked = new KeyState("v", 1_036);
        assertTrue(Checker.matches(straddled, acked, 1_000, 1_050));
        // A TTL well after the check: the key must be there, so absent is still a loss.
        assertFalse(Checker.matches(straddled, new KeyState("v", 60_000), 1_000, 1_050));
        // And a key read without its TTL is not the acknowledged key.
        assertFalse(Checker.matches(new KeyState("v", 0), acked, 1_000, 1_050));
    }

    /** A model with two clients whose items 1 to 4 were pushed to queue 0 by client 0 and acknowledged. */
    private static Queues fourPushed() {
        Queues model = new Queues(2);
        for (int i = 0; i < 4; i++) {
            model.newItem(0, 0).pushAcked = true;
        }
        return model;
    }

    private static List<List<String>> queues(List<String> q0) {
        return List.of(q0, List.of(), List.of());
    }

    private static List<String> check(Queues model, List<String> q0, List<String> qp0, List<String> qp1) {
        List<String> violations = new ArrayList<>();
        Checker.checkQueues(model, queues(q0), List.of(qp0, qp1), violations);
        return violations;
    }

    @Test
    void anAcknowledgedPushMustBeInAListOrReturnedByAnAcknowledgedPop() {
        Queues model = fourPushed();
        List<String> violations = new ArrayList<>();
        model.taken("job:1", 0, Queues.State.POPPED, 1, "LPOP", violations);
        assertEquals(List.of(), violations);
        assertEquals(List.of(), check(model, List.of("job:2", "job:3", "job:4"), List.of(), List.of()));
        // Resolved: job:1 is forgotten, the rest are queued. Now job:2 goes missing with nothing to explain it.
        List<String> lost = check(model, List.of("job:3", "job:4"), List.of(), List.of());
        assertEquals(1, lost.size(), lost.toString());
        assertTrue(lost.get(0).startsWith("acknowledged RPUSH lost: job:2"), lost.get(0));
    }

    @Test
    void anUnacknowledgedPopMayHaveTakenAsManyItemsAsItAskedFor() {
        Queues model = fourPushed();
        model.unackedPops[0].addAndGet(2);
        assertEquals(List.of(), check(model, List.of("job:3", "job:4"), List.of(), List.of()));
        model.unackedPops[0].addAndGet(1);
        assertEquals(1, check(model, List.of(), List.of(), List.of()).size(), "one pop, two missing items");
        // An unacknowledged push may be missing without any pop.
        model.newItem(0, 1);
        assertEquals(List.of(), check(model, List.of(), List.of(), List.of()));
    }

    @Test
    void noItemIsFoundTwiceNorAfterAnAcknowledgedPopReturnedIt() {
        Queues model = fourPushed();
        List<String> twice = check(model, List.of("job:1", "job:2", "job:3", "job:4"), List.of("job:2"), List.of());
        assertEquals(1, twice.size(), twice.toString());
        assertTrue(twice.get(0).contains("job:2 found 2 times"), twice.get(0));

        model = fourPushed();
        List<String> violations = new ArrayList<>();
        model.taken("job:1", 0, Queues.State.POPPED, 1, "LPOP", violations);
        model.taken("job:1", 0, Queues.State.POPPED, 0, "LPOP", violations);
        assertEquals(1, violations.size(), "returned twice at run time: " + violations);
        model.taken("job:9", 0, Queues.State.POPPED, 0, "LPOP", violations);
        assertEquals(2, violations.size(), "an item no producer pushed: " + violations);
        List<String> back = check(model, List.of("job:1", "job:2", "job:3", "job:4"), List.of(), List.of());
        assertEquals(1, back.size(), back.toString());
        assertTrue(back.get(0).contains("an acknowledged LPOP returned it"), back.get(0));
    }

    @Test
    void aMovedItemMustBeInItsConsumersProcessingListUntilItsLremIsAcknowledged() {
        Queues model = fourPushed();
        List<String> violations = new ArrayList<>();
        model.processing[1].addLast(model.taken("job:1", 0, Queues.State.PROCESSING, 1, "BLMOVE", violations));
        model.processing[1].addLast(model.taken("job:2", 0, Queues.State.PROCESSING, 1, "BLMOVE", violations));
        assertEquals(List.of(), violations);
        // An unacknowledged BLMOVE of client 0 explains job:3 in qp:0.
        model.unackedMoves[0][0].incrementAndGet();
        assertEquals(List.of(), check(model, List.of("job:4"), List.of("job:3"), List.of("job:1", "job:2")));
        // The model now has job:3 processing by client 0; its LREM in flight lets it go missing, job:1 may not.
        model.processing[0].peekFirst().removing();
        List<String> lost = check(model, List.of("job:4"), List.of(), List.of("job:2"));
        assertEquals(1, lost.size(), lost.toString());
        assertTrue(lost.get(0).startsWith("acknowledged BLMOVE lost: job:1"), lost.get(0));
        // An item back in its queue after an acknowledged BLMOVE, or in a processing list no BLMOVE explains.
        List<String> misplaced = check(model, List.of("job:2"), List.of("job:4"), List.of());
        assertEquals(2, misplaced.size(), misplaced.toString());
    }

    @Test
    void itemsKeepTheirOrder() {
        Queues model = fourPushed();
        List<String> swapped = check(model, List.of("job:1", "job:3", "job:2", "job:4"), List.of(), List.of());
        assertEquals(1, swapped.size(), swapped.toString());
        assertTrue(swapped.get(0).contains("job:3 before job:2"), swapped.get(0));

        model = fourPushed();
        List<String> violations = new ArrayList<>();
        model.processing[0].addLast(model.taken("job:1", 0, Queues.State.PROCESSING, 0, "BLMOVE", violations));
        model.processing[0].addLast(model.taken("job:2", 0, Queues.State.PROCESSING, 0, "BLMOVE", violations));
        List<String> reordered = check(model, List.of("job:3", "job:4"), List.of("job:2", "job:1"), List.of());
        assertEquals(1, reordered.size(), reordered.toString());
    }
}
