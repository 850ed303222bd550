package io.qrrot.cli.client;

import io.qrrot.cli.ai.AgentConfig;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** The AI agent's options, shared by {@code qrrot ai} and the REPL's {@code ai} command. */
public final class AiOptions {
    /** The environment variable that gives the base URL when {@code --ai-base-url} is not given. */
    static final String BASE_URL_VARIABLE = "GOOGLE_GEMINI_BASE_URL";

    @Option(names = "--ai-model", paramLabel = "MODEL", defaultValue = AgentConfig.DEFAULT_MODEL,
            description = "Gemini model (default: ${DEFAULT-VALUE}).")
    String model;

    @Option(names = "--ai-base-url", paramLabel = "URL", converter = BaseUrl.class,
            description = "Gemini API base URL, http:// or https:// (default: GOOGLE_GEMINI_BASE_URL, else Google's "
                    + "endpoint).")
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

    /** Refuses a malformed {@code --ai-base-url} while the command line is read: a usage error, exit status 2. */
    public static final class BaseUrl implements CommandLine.ITypeConverter<String> {
        @Override
        public String convert(String value) {
            String problem = AgentConfig.baseUrlProblem(value);
            if (problem != null) {
                throw new CommandLine.TypeConversionException(problem);
            }
            return value;
        }
    }

    /**
     * Why the base URL from {@code GOOGLE_GEMINI_BASE_URL} cannot be used, naming the variable; null when it
     * can, or when {@code --ai-base-url} (checked as it is read) overrides it.
     */
    public String environmentBaseUrlProblem(Map<String, String> env) {
        String url = env.get(BASE_URL_VARIABLE);
        if (baseUrl != null || url == null || url.isBlank()) {
            return null;
        }
        String problem = AgentConfig.baseUrlProblem(url);
        return problem == null ? null : BASE_URL_VARIABLE + " " + problem;
    }

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
        String url = baseUrl != null ? baseUrl : env.get(BASE_URL_VARIABLE);
        if (url != null && url.isBlank()) {
            url = null;
        }
        int perValue = Math.min(AgentConfig.DEFAULT_MAX_VALUE_BYTES, Math.max(1, maxStepBytes));
        return new AgentConfig(key, model, url, Math.max(1, maxSteps), Math.max(1, maxStepBytes), perValue,
                (int) Math.max(1, Math.round(timeoutSeconds * 1000)));
    }
}
