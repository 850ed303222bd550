package io.qrrot.cli.ai;

import java.util.Map;

/**
 * How the agent talks to Gemini and how far it may go.
 *
 * @param apiKey        the Gemini API key
 * @param model         model name, e.g. {@code gemini-2.5-flash}
 * @param baseUrl       API base URL; null for the SDK's default (Google's endpoint)
 * @param maxSteps      model calls per request before the agent gives up
 * @param maxStepBytes  stored data (values, key names) sent to the model per step
 * @param maxValueBytes bytes of one value sent to the model; longer values are cut with a marker
 * @param timeoutMillis how long one model call may take
 */
public record AgentConfig(String apiKey, String model, String baseUrl, int maxSteps, int maxStepBytes,
                          int maxValueBytes, int timeoutMillis) {

    public static final String DEFAULT_MODEL = "gemini-2.5-flash";
    public static final int DEFAULT_MAX_STEPS = 8;
    public static final int DEFAULT_MAX_STEP_BYTES = 16 * 1024;
    public static final int DEFAULT_MAX_VALUE_BYTES = 2 * 1024;
    public static final int DEFAULT_TIMEOUT_MILLIS = 60_000;

    /** The one line shown when no key is set. */
    public static final String NO_KEY_MESSAGE = "no Gemini API key: set GEMINI_API_KEY (or GOOGLE_API_KEY), "
            + "e.g. export GEMINI_API_KEY=<your key> (get one at https://aistudio.google.com/apikey)";

    /** The key from {@code GEMINI_API_KEY}, else {@code GOOGLE_API_KEY}; null when neither is set. */
    public static String apiKeyFrom(Map<String, String> env) {
        for (String name : new String[] {"GEMINI_API_KEY", "GOOGLE_API_KEY"}) {
            String v = env.get(name);
            if (v != null && !v.isBlank()) {
                return v.trim();
            }
        }
        return null;
    }
}
