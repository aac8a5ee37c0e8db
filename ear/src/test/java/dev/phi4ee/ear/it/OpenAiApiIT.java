package dev.phi4ee.ear.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.importer.ZipImporter;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The EAR exactly as built, called over HTTP like a client would: the OpenAI-compatible API of its WAR on RESTEasy
 * ({@code /phi4/v1/*}), and the server's own MicroProfile Health and Prometheus endpoints on the management interface
 * (configured by src/test/wildfly/observability.cli), which carry the WAR's checks and meters.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OpenAiApiIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final URI API = URI.create("http://127.0.0.1:8080/phi4/");
    private static final URI MANAGEMENT = URI.create("http://127.0.0.1:9990/");
    private static final String CHAT = "{\"model\":\"phi-4-multimodal-instruct\",\"temperature\":0,\"max_tokens\":6,"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"Hello from a client of WildFly\"}]}";

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @Deployment(testable = false)
    static EnterpriseArchive deployment() {
        return ShrinkWrap.create(ZipImporter.class, "phi4-ear.ear")
                .importFrom(new File(System.getProperty("phi4.it.ear")))
                .as(EnterpriseArchive.class);
    }

    @Test
    @Order(1)
    void modelsAreListed() throws Exception {
        HttpResponse<String> r = send(API.resolve("v1/models"), null);

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(r.body()).at("/data/0/id").asText()).isEqualTo("phi-4-multimodal-instruct");
    }

    @Test
    @Order(2)
    void chatCompletionStreamedEqualsNonStreamed() throws Exception {
        HttpResponse<String> plain = send(API.resolve("v1/chat/completions"), CHAT);
        assertThat(plain.statusCode()).as(plain.body()).isEqualTo(200);
        JsonNode completion = JSON.readTree(plain.body());
        assertThat(completion.get("object").asText()).isEqualTo("chat.completion");
        assertThat(completion.at("/choices/0/finish_reason").asText()).isIn("stop", "length");
        assertThat(completion.at("/usage/completion_tokens").asInt()).isBetween(1, 6);
        assertThat(completion.at("/usage/prompt_tokens").asInt()).isPositive();
        String text = completion.at("/choices/0/message/content").asText();

        HttpResponse<String> streamed = send(
                API.resolve("v1/chat/completions"),
                CHAT.replace("{", "{\"stream\":true,\"stream_options\":{\"include_usage\":true},"));
        assertThat(streamed.statusCode()).isEqualTo(200);
        assertThat(streamed.headers().firstValue("Content-Type"))
                .hasValueSatisfying(t -> assertThat(t).startsWith("text/event-stream"));
        StringBuilder deltas = new StringBuilder();
        JsonNode usage = null;
        for (String line : streamed.body().split("\n")) {
            if (!line.startsWith("data: {")) {
                continue;
            }
            JsonNode chunk = JSON.readTree(line.substring(6));
            assertThat(chunk.get("object").asText()).isEqualTo("chat.completion.chunk");
            JsonNode content = chunk.at("/choices/0/delta/content");
            if (content.isTextual()) {
                deltas.append(content.asText());
            }
            if (chunk.hasNonNull("usage")) {
                usage = chunk.get("usage");
            }
        }
        assertThat(streamed.body().strip()).endsWith("data: [DONE]");
        assertThat(deltas).hasToString(text);
        assertThat(usage).isNotNull();
        assertThat(usage.get("completion_tokens").asInt())
                .isEqualTo(completion.at("/usage/completion_tokens").asInt());
    }

    @Test
    @Order(3)
    void malformedJsonIsAnOpenAiShaped400() throws Exception {
        HttpResponse<String> r = send(API.resolve("v1/chat/completions"), "{\"messages\": [");

        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(r.body()).at("/error/type").asText()).isEqualTo("invalid_request_error");
    }

    @Test
    @Order(4)
    void microProfileHealthReportsTheSharedEngine() throws Exception {
        HttpResponse<String> ready = send(MANAGEMENT.resolve("health/ready"), null);
        assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
        JsonNode engine = check(JSON.readTree(ready.body()), "phi4-engine");
        assertThat(engine.get("status").asText()).isEqualTo("UP");
        assertThat(engine.at("/data/executionProvider").asText()).isEqualTo("cpu");
        assertThat(engine.at("/data/maxLength").asInt()).isEqualTo(2048);

        HttpResponse<String> live = send(MANAGEMENT.resolve("health/live"), null);
        assertThat(live.statusCode()).as(live.body()).isEqualTo(200);
        JsonNode thread = check(JSON.readTree(live.body()), "phi4-engine-thread");
        assertThat(thread.get("status").asText()).isEqualTo("UP");
        assertThat(thread.at("/data/batchSlots").asInt()).isPositive();
    }

    @Test
    @Order(5)
    void theApiMetersAreInTheServersPrometheusScrape() throws Exception {
        HttpResponse<String> r = send(MANAGEMENT.resolve("prometheus"), null);

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body())
                .contains("phi4_requests_total")
                .contains("phi4_time_to_first_token_seconds")
                .contains("phi4_queue_depth")
                .contains("phi4_batch_running")
                .contains("phi4_batch_free_slots");
    }

    private static JsonNode check(JsonNode health, String name) {
        for (JsonNode c : health.get("checks")) {
            if (name.equals(c.get("name").asText())) {
                return c;
            }
        }
        throw new AssertionError("no check " + name + " in " + health);
    }

    private HttpResponse<String> send(URI uri, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(120));
        b = body == null
                ? b.GET()
                : b.header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
