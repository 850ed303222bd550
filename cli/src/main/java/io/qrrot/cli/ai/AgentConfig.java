package io.qrrot.cli.ai;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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

    /** Google's Gemini API endpoint, used when no base URL is given. */
    public static final String DEFAULT_BASE_URL = "https://generativelanguage.googleapis.com";

    private static final Pattern SCHEME = Pattern.compile("^([A-Za-z][A-Za-z0-9+.-]*)://(.*)$", Pattern.DOTALL);
    private static final Pattern HOST = Pattern.compile("[^\\s/?#@\\[\\]:%]+|\\[[0-9A-Fa-f:.]+]");

    /**
     * Why {@code url} cannot be the Gemini API's base URL, or null when it can (null too for no URL): it must
     * be an {@code http://} or {@code https://} URL with a host. The reason starts with the URL, quoted, e.g.
     * {@code 'localhost:8080' is not an http:// or https:// URL (e.g. https://generativelanguage.googleapis.com)}.
     */
    public static String baseUrlProblem(String url) {
        if (url == null) {
            return null;
        }
        String quoted = "'" + url + "'";
        String example = " (e.g. " + DEFAULT_BASE_URL + ")";
        Matcher m = SCHEME.matcher(url);
        if (!m.matches() || !(m.group(1).equalsIgnoreCase("http") || m.group(1).equalsIgnoreCase("https"))) {
            return quoted + " is not an http:// or https:// URL" + example;
        }
        String rest = m.group(2);
        int end = 0;
        while (end < rest.length() && "/?#".indexOf(rest.charAt(end)) < 0) {
            end++;
        }
        String authority = rest.substring(0, end);
        String hostPort = authority.substring(authority.lastIndexOf('@') + 1);
        if (hostPort.isEmpty() || hostPort.startsWith(":")) {
            return quoted + " has no host" + example;
        }
        try {
            new URI(url);
        } catch (URISyntaxException e) {
            return quoted + " is not a valid URL (" + e.getReason() + " at index " + e.getIndex() + ")";
        }
        // java.net.URI takes a host with an underscore (a container's name) only as a "registry" authority,
        // which the Gemini client accepts: check host and port here rather than rely on URI.getHost().
        int colon = hostPort.startsWith("[") ? hostPort.indexOf(':', hostPort.indexOf(']')) : hostPort.lastIndexOf(':');
        String host = colon < 0 ? hostPort : hostPort.substring(0, colon);
        String port = colon < 0 ? "" : hostPort.substring(colon + 1);
        if (!HOST.matcher(host).matches()) {
            return quoted + " is not a valid URL (host '" + host + "' is not a host name or address)";
        }
        if (colon >= 0 && !port.matches("[0-9]{1,5}")) {
            return quoted + " is not a valid URL (port '" + port + "' is not a number)";
        }
        return null;
    }

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
