package io.qrrot.cli.client;

import io.qrrot.cli.ai.AgentConfig;
import java.util.Map;
import picocli.CommandLine.Option;

/** The AI agent's options, shared by {@code qrrot ai} and the REPL's {@code ai} command. */
public final class AiOptions {
    @Option(names = "--ai-model", paramLabel = "MODEL", defaultValue = AgentConfig.DEFAULT_MODEL,
            description = "Gemini model (default: ${DEFAULT-VALUE}).")
    String model;

    @Option(names = "--ai-base-url", paramLabel = "URL",
            description = "Gemini API base URL (default: GOOGLE_GEMINI_BASE_URL, else Google's endpoint).")
    String baseUrl;

    @Option(names = "--ai-max-steps", paramLabel = "N", defaultValue = "" + AgentConfig.DEFAULT_MAX_STEPS,
            description = "Model calls per request before giving up (default: ${DEFAULT-VALUE}).")
    int maxSteps;

    @Option(names = "--ai-max-bytes", paramLabel = "BYTES", defaultValue = "" + AgentConfig.DEFAULT_MAX_STEP_BYTES,
            description = "Stored data sent to the model per step; values are cut beyond it (default: ${DEFAULT-VALUE}).")
    int maxStepBytes;

    @Option(names = "--ai-timeout", paramLabel = "SECONDS", defaultValue = "60",
            description = "How long one model call may take (default: ${DEFAULT-VALUE}).")
    double timeoutSeconds;

    /**
     * The agent's settings.
     *
     * @return null when no API key is set (show {@link AgentConfig#NO_KEY_MESSAGE})
     */
    public AgentConfig resolve(Map<String, String> env) {
        String key = AgentConfig.apiKeyFrom(env);
        if (key == null) {
            return null;
        }
        String url = baseUrl != null ? baseUrl : env.get("GOOGLE_GEMINI_BASE_URL");
        if (url != null && url.isBlank()) {
            url = null;
        }
        int perValue = Math.min(AgentConfig.DEFAULT_MAX_VALUE_BYTES, Math.max(1, maxStepBytes));
        return new AgentConfig(key, model, url, Math.max(1, maxSteps), Math.max(1, maxStepBytes), perValue,
                (int) Math.max(1, Math.round(timeoutSeconds * 1000)));
    }
}
