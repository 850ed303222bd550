package io.qrrot.cli.ai;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class AgentConfigTest {
    private static final String EXAMPLE = " (e.g. https://generativelanguage.googleapis.com)";

    @Test
    void usableBaseUrls() {
        for (String url : new String[] {"https://generativelanguage.googleapis.com", "http://127.0.0.1:8080",
                "HTTPS://Proxy.example/gemini/", "http://proxy_1.internal:8443", "http://[::1]:9000/v1",
                "https://user@gateway.example", "http://localhost"}) {
            assertNull(AgentConfig.baseUrlProblem(url), url);
        }
        assertNull(AgentConfig.baseUrlProblem(null));
    }

    @Test
    void malformedBaseUrls() {
        assertEquals("'garbage' is not an http:// or https:// URL" + EXAMPLE, AgentConfig.baseUrlProblem("garbage"));
        assertEquals("'' is not an http:// or https:// URL" + EXAMPLE, AgentConfig.baseUrlProblem(""));
        assertEquals("'localhost:8080' is not an http:// or https:// URL" + EXAMPLE,
                AgentConfig.baseUrlProblem("localhost:8080"));
        assertEquals("'ftp://x.example' is not an http:// or https:// URL" + EXAMPLE,
                AgentConfig.baseUrlProblem("ftp://x.example"));
        assertEquals("'http:/x.example' is not an http:// or https:// URL" + EXAMPLE,
                AgentConfig.baseUrlProblem("http:/x.example"));
        assertEquals("'http://' has no host" + EXAMPLE, AgentConfig.baseUrlProblem("http://"));
        assertEquals("'https:///v1' has no host" + EXAMPLE, AgentConfig.baseUrlProblem("https:///v1"));
        assertEquals("'http://:8080' has no host" + EXAMPLE, AgentConfig.baseUrlProblem("http://:8080"));
        assertEquals("'http://user@' has no host" + EXAMPLE, AgentConfig.baseUrlProblem("http://user@"));
        assertEquals("'https://exa mple.com' is not a valid URL (Illegal character in authority at index 8)",
                AgentConfig.baseUrlProblem("https://exa mple.com"));
        assertEquals("'http://host:port' is not a valid URL (port 'port' is not a number)",
                AgentConfig.baseUrlProblem("http://host:port"));
    }
}
