package io.qrrot.cli.ai;

import com.google.genai.types.Content;
import com.google.genai.types.FunctionCall;
import com.google.genai.types.FunctionResponse;
import com.google.genai.types.Part;
import io.qrrot.cli.render.ReplyFormat;
import io.qrrot.cli.resp.Reply;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs one request: asks the model, runs the reads it calls for, and stops at an answer or a write proposal.
 * A proposal is checked ({@link WritePolicy}), shown, and run only after the user confirms, as one conditional
 * transaction over the keys read ({@link Store#executePlan}). At most {@code maxSteps} model calls; at most
 * {@code maxStepBytes} of stored data sent per call. Not thread-safe; one per request.
 *
 * <p>What the user is told keeps the model's words apart from qrrot's: the model's text is shown labelled
 * ({@link Shown#modelText}), and how the request ended is qrrot's own line ({@link AgentOutcome#message}).
 * When a proposal was refused and the model made no acceptable one, the request ends with that refusal and
 * the model's closing text is not shown: whatever it says, nothing was written.
 */
public final class Agent implements AutoCloseable {
    private final GeminiModel model;
    private final Store store;
    private final AgentConfig config;
    private final AgentUi ui;
    private final AgentTools tools;
    /** The checked proposal of this request, once the model made one. */
    private Plan proposed;
    /** Why the model's last proposal was refused; null when it made none or its last one was accepted. */
    private String refusal;

    public Agent(AgentConfig config, Store store, AgentUi ui) {
        this.model = new GeminiModel(config);
        this.store = store;
        this.config = config;
        this.ui = ui;
        this.tools = new AgentTools(store, ui);
    }

    public AgentOutcome run(String request) {
        String badUrl = AgentConfig.baseUrlProblem(config.baseUrl());
        if (badUrl != null) {
            // The command line refuses such a URL before a request starts; this covers other ways in.
            return failed("the Gemini API base URL " + badUrl);
        }
        List<Content> history = new ArrayList<>();
        history.add(Content.builder().role("user").parts(Part.fromText(request)).build());
        for (int step = 1; step <= config.maxSteps(); step++) {
            GeminiModel.Turn turn;
            try {
                turn = model.generate(history);
            } catch (ModelException e) {
                return failed(e.getMessage());
            }
            List<Part> parts = turn.content() == null ? List.of() : turn.content().parts().orElse(List.of());
            if (parts.isEmpty()) {
                return failed("the model returned no usable answer (" + why(turn) + ")");
            }
            history.add(turn.content().toBuilder().role("model").build());
            List<FunctionCall> calls = new ArrayList<>();
            StringBuilder text = new StringBuilder();
            for (Part p : parts) {
                p.functionCall().ifPresent(calls::add);
                if (p.text().isPresent() && !p.thought().orElse(false)) {
                    text.append(p.text().get());
                }
            }
            if (calls.isEmpty()) {
                if (refusal != null) {
                    // The model's closing words after a refused plan are not shown: they may well claim the
                    // writes were made.
                    return new AgentOutcome(AgentOutcome.Kind.REFUSED, AgentOutcome.NOTHING_WRITTEN
                            + "the plan was refused (" + refusal + ").");
                }
                if (text.toString().isBlank()) {
                    return failed("the model returned no usable answer (" + why(turn) + ")");
                }
                ui.say(Shown.modelText(text.toString()));
                return new AgentOutcome(AgentOutcome.Kind.ANSWERED, "");
            }
            DataBudget budget = new DataBudget(config.maxValueBytes(), config.maxStepBytes());
            List<Part> responses = new ArrayList<>(calls.size());
            try {
                for (FunctionCall call : calls) {
                    responses.add(functionResponse(call, call(call, budget)));
                }
            } catch (IOException e) {
                return failed("lost the database: " + e.getMessage());
            }
            if (proposed != null) {
                if (!text.toString().isBlank()) {
                    ui.explain(Shown.modelText(text.toString()));
                }
                return confirmAndRun(proposed);
            }
            history.add(Content.builder().role("user").parts(responses).build());
        }
        return failed("stopped: the model did not finish within " + config.maxSteps() + " steps (--ai-max-steps)");
    }

    /** Runs one tool call (a read, or the proposal, which is only kept); returns the response for the model. */
    private Map<String, Object> call(FunctionCall call, DataBudget budget) throws IOException {
        String name = call.name().orElse("");
        Map<String, Object> args = call.args().orElse(Map.of());
        if (AgentTools.isRead(name)) {
            return tools.runRead(name, args, budget);
        }
        if (!name.equals(AgentTools.PROPOSE)) {
            ui.progress(Shown.oneLine("refused: the model called '" + name + "', which is not one of its tools"));
            return Map.of("error", "refused: there is no tool '" + name + "'. Reads: "
                    + String.join(", ", AgentTools.READ_TOOLS) + "; writes only through propose_writes");
        }
        if (proposed != null) {
            return Map.of("error", "refused: only one propose_writes call per request");
        }
        try {
            proposed = tools.proposal(args);
            refusal = null;
            return Map.of("status", "shown to the user, who decides whether it runs");
        } catch (Args.BadArguments e) {
            refusal = e.getMessage();
            ui.progress(Shown.oneLine("refused proposal: " + e.getMessage()));
            return Map.of("error", "refused, nothing was written: " + e.getMessage());
        }
    }

    private AgentOutcome confirmAndRun(Plan plan) {
        if (!plan.explanation().isBlank()) {
            ui.explain(Shown.modelText(plan.explanation()));
        }
        AgentUi.Confirmation answer = ui.confirm(plan);
        if (answer == AgentUi.Confirmation.CANNOT_ASK) {
            return new AgentOutcome(AgentOutcome.Kind.NOT_CONFIRMED, AgentOutcome.NOTHING_WRITTEN
                    + "there is no terminal to confirm the plan on; run the request again with --yes to run it "
                    + "without asking.");
        }
        if (answer != AgentUi.Confirmation.YES) {
            return new AgentOutcome(AgentOutcome.Kind.DECLINED, AgentOutcome.NOTHING_WRITTEN
                    + "you declined the plan.");
        }
        PlanResult result;
        try {
            result = store.executePlan(plan.watchedKeys(), plan.commands());
        } catch (IOException e) {
            return new AgentOutcome(AgentOutcome.Kind.UNCERTAIN, "the connection failed while the plan was being sent ("
                    + e.getMessage() + "); the transaction either ran whole or not at all: check the keys");
        }
        if (result instanceof PlanResult.Aborted) {
            return new AgentOutcome(AgentOutcome.Kind.ABORTED, AgentOutcome.NOTHING_WRITTEN + "data the agent read ("
                    + Plan.keyList(plan.watchedKeys()) + ") changed before the plan ran; run the request again to "
                    + "plan on the current data.");
        }
        if (result instanceof PlanResult.Rejected r) {
            return new AgentOutcome(AgentOutcome.Kind.ABORTED, AgentOutcome.NOTHING_WRITTEN
                    + "the database refused the transaction (" + r.reason() + ").");
        }
        if (result instanceof PlanResult.NotSent n) {
            return new AgentOutcome(AgentOutcome.Kind.ABORTED, AgentOutcome.NOTHING_WRITTEN
                    + "the connection to the database failed before the plan was sent (" + n.reason() + ").");
        }
        PlanResult.Committed c = (PlanResult.Committed) result;
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < plan.commands().size(); i++) {
            String reply = new String(ReplyFormat.standard().format(c.replies().get(i)), StandardCharsets.UTF_8).strip();
            sb.append(i + 1).append(". ").append(Plan.display(plan.commands().get(i))).append(" -> ")
                    .append(reply.replace("\n", " ")).append('\n');
        }
        ui.say(sb.toString().stripTrailing());
        int n = plan.commands().size();
        if (c.anyFailed()) {
            long failed = c.replies().stream().filter(Reply::isError).count();
            return new AgentOutcome(AgentOutcome.Kind.PARTIAL, failed + " of " + n + " commands failed inside the "
                    + "transaction; the others were applied (a transaction does not roll back a failed command)");
        }
        return new AgentOutcome(AgentOutcome.Kind.EXECUTED, "done: " + n + (n == 1 ? " command" : " commands")
                + " ran atomically");
    }

    private static Part functionResponse(FunctionCall call, Map<String, Object> response) {
        FunctionResponse.Builder b = FunctionResponse.builder().name(call.name().orElse(""))
                .response(new LinkedHashMap<>(response));
        call.id().ifPresent(b::id);
        return Part.builder().functionResponse(b.build()).build();
    }

    private static String why(GeminiModel.Turn turn) {
        if (turn.blockReason() != null) {
            return "prompt blocked: " + turn.blockReason();
        }
        if (turn.finishReason() != null) {
            return "finish reason " + turn.finishReason();
        }
        return "no candidates in the reply";
    }

    private static AgentOutcome failed(String message) {
        return new AgentOutcome(AgentOutcome.Kind.FAILED, message + "; nothing was written");
    }

    @Override
    public void close() {
        model.close();
    }
}
