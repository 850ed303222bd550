package io.qrrot.cli.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;

/**
 * A local stand-in for the Gemini API: answers {@code POST /v1beta/models/{model}:generateContent} with
 * scripted model turns, in order, and records every request. An unscripted request gets HTTP 500 so a test
 * that asks more than it scripted fails loudly.
 */
public final class FakeGemini implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One recorded request. */
    public record Request(String method, String path, String apiKey, JsonNode body, int bytes) {
    }

    private record Scripted(int status, String body, long delayMillis) {
    }

    private final HttpServer server;
    private final Deque<Scripted> script = new ArrayDeque<>();
    private final List<Request> requests = new ArrayList<>();

    private FakeGemini(HttpServer server) {
        this.server = server;
    }

    public static FakeGemini start() throws IOException {
        HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        FakeGemini f = new FakeGemini(s);
        s.createContext("/", f::handle);
        s.setExecutor(Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "fake-gemini");
            t.setDaemon(true);
            return t;
        }));
        s.start();
        return f;
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** The next answer: a model turn (see {@link #call}, {@link #text}). */
    public synchronized FakeGemini then(String responseBody) {
        script.add(new Scripted(200, responseBody, 0));
        return this;
    }

    public synchronized FakeGemini thenStatus(int status, String body) {
        script.add(new Scripted(status, body, 0));
        return this;
    }

    public synchronized FakeGemini thenDelayed(long millis, String body) {
        script.add(new Scripted(200, body, millis));
        return this;
    }

    public synchronized List<Request> requests() {
        return List.copyOf(requests);
    }

    private void handle(HttpExchange ex) throws IOException {
        byte[] in = ex.getRequestBody().readAllBytes();
        Scripted s;
        synchronized (this) {
            JsonNode body;
            try {
                body = JSON.readTree(in);
            } catch (IOException e) {
                body = JSON.getNodeFactory().textNode(new String(in, StandardCharsets.UTF_8));
            }
            requests.add(new Request(ex.getRequestMethod(), ex.getRequestURI().getPath(),
                    ex.getRequestHeaders().getFirst("x-goog-api-key"), body, in.length));
            s = script.poll();
        }
        if (s == null) {
            s = new Scripted(500, "{\"error\":{\"code\":500,\"message\":\"fake Gemini: no scripted answer left\","
                    + "\"status\":\"INTERNAL\"}}", 0);
        }
        if (s.delayMillis() > 0) {
            try {
                Thread.sleep(s.delayMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        byte[] out = s.body().getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json; charset=UTF-8");
        try {
            ex.sendResponseHeaders(s.status(), out.length);
            try (OutputStream os = ex.getResponseBody()) {
                os.write(out);
            }
        } catch (IOException e) {
            // the client gave up (timeout test): nothing to do
        }
    }

    /** A model turn calling one function. */
    public static String call(String name, Map<String, ?> args) {
        return calls(Map.of(name, args));
    }

    /** A model turn calling several functions (in the map's iteration order). */
    public static String calls(Map<String, ? extends Map<String, ?>> calls) {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode parts = JSON.createArrayNode();
        calls.forEach((name, args) -> {
            ObjectNode fc = JSON.createObjectNode();
            fc.put("name", name);
            fc.set("args", JSON.valueToTree(args));
            parts.add(JSON.createObjectNode().set("functionCall", fc));
        });
        return turn(parts);
    }

    /** A model turn answering in text. */
    public static String text(String text) {
        ArrayNode parts = JSON.createArrayNode();
        parts.add(JSON.createObjectNode().put("text", text));
        return turn(parts);
    }

    private static String turn(ArrayNode parts) {
        ObjectNode content = JSON.createObjectNode();
        content.put("role", "model");
        content.set("parts", parts);
        ObjectNode cand = JSON.createObjectNode();
        cand.set("content", content);
        cand.put("finishReason", "STOP");
        cand.put("index", 0);
        ObjectNode root = JSON.createObjectNode();
        root.set("candidates", JSON.createArrayNode().add(cand));
        root.put("modelVersion", "gemini-2.5-flash");
        return root.toString();
    }

    /** An API error body as Google sends it. */
    public static String error(int code, String status, String message) {
        return "{\"error\":{\"code\":" + code + ",\"message\":\"" + message + "\",\"status\":\"" + status + "\"}}";
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
