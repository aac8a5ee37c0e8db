package dev.phi4ee.samples.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.phi4ee.core.api.EngineOverloadedException;
import dev.phi4ee.core.api.GenerationHandle;
import dev.phi4ee.core.api.GenerationRequest;
import dev.phi4ee.core.api.ModelInfo;
import dev.phi4ee.core.api.Phi4Engine;
import dev.phi4ee.core.api.TokenListener;
import dev.phi4ee.openai.EngineHolder;
import dev.phi4ee.openai.OpenAiApiConfig;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.concurrent.Flow;
import org.junit.jupiter.api.Test;

/** 429, 503 and 413 through the embedded server, with stand-in engines (no model needed). */
class ErrorStatusTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String BODY = "{\"model\":\"" + OpenAiApiConfig.DEFAULT_MODEL_ID
            + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    /** An engine whose queue is always full. */
    static final class FullEngine implements Phi4Engine {
        @Override
        public GenerationHandle stream(GenerationRequest request, TokenListener listener) {
            throw new EngineOverloadedException("engine queue is full (4 waiting)");
        }

        @Override
        public Flow.Publisher<String> publish(GenerationRequest request) {
            throw new UnsupportedOperationException();
        }

        @Override
        public ModelInfo info() {
            return new ModelInfo(Path.of("/m"), "phi4mm", 4096, 200064, "cpu", "float32", true, true);
        }

        @Override
        public void close() {}
    }

    static HttpResponse<String> send(ApiServer server, String path, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(server.baseUri().resolve(path));
        b = body == null ? b.GET() : b.POST(HttpRequest.BodyPublishers.ofString(body));
        try (HttpClient http = HttpClient.newHttpClient()) {
            return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        }
    }

    static JsonNode error(HttpResponse<String> r) throws Exception {
        assertThat(r.headers().firstValue("Content-Type"))
                .hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
        JsonNode error = JSON.readTree(r.body()).get("error");
        assertThat(error).isNotNull();
        return error;
    }

    @Test
    void fullQueueIs429WithRetryAfter() throws Exception {
        try (ApiServer server =
                ApiServer.start("127.0.0.1", 0, OpenAiApiConfig.defaults(), EngineHolder.of(new FullEngine()))) {
            HttpResponse<String> r = send(server, "/v1/chat/completions", BODY);
            assertThat(r.statusCode()).isEqualTo(429);
            assertThat(r.headers().firstValue("Retry-After")).hasValue("1");
            assertThat(error(r).get("code").asText()).isEqualTo("rate_limit_exceeded");
            HttpResponse<String> streamed =
                    send(server, "/v1/chat/completions", BODY.replace("{", "{\"stream\":true,"));
            assertThat(streamed.statusCode()).isEqualTo(429);
        }
    }

    @Test
    void notReadyIs503AndReadinessSaysDown() throws Exception {
        EngineHolder holder = new EngineHolder();
        try (ApiServer server = ApiServer.start("127.0.0.1", 0, OpenAiApiConfig.defaults(), holder)) {
            HttpResponse<String> r = send(server, "/v1/chat/completions", BODY);
            assertThat(r.statusCode()).isEqualTo(503);
            assertThat(error(r).get("code").asText()).isEqualTo("engine_not_ready");
            assertThat(send(server, "/health/ready", null).statusCode()).isEqualTo(503);
            assertThat(send(server, "/health/live", null).statusCode()).isEqualTo(200);

            holder.set(new FullEngine());
            HttpResponse<String> ready = send(server, "/health/ready", null);
            assertThat(ready.statusCode()).isEqualTo(200);
            assertThat(JSON.readTree(ready.body()).get("status").asText()).isEqualTo("UP");
        }
    }

    @Test
    void oversizedBodyIs413() throws Exception {
        try (ApiServer server = ApiServer.start(
                "127.0.0.1",
                0,
                OpenAiApiConfig.defaults().withMaxRequestBytes(64),
                EngineHolder.of(new FullEngine()))) {
            HttpResponse<String> r = send(server, "/v1/chat/completions", BODY + " ".repeat(100));
            assertThat(r.statusCode()).isEqualTo(413);
            assertThat(error(r).get("code").asText()).isEqualTo("request_too_large");
        }
    }
}
