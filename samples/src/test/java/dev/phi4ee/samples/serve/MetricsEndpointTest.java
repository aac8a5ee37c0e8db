package dev.phi4ee.samples.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.phi4ee.core.api.EngineOptions;
import dev.phi4ee.core.api.Phi4Engine;
import dev.phi4ee.core.testkit.Phi4TestModels;
import dev.phi4ee.core.testkit.TestModelSpec;
import dev.phi4ee.openai.EngineHolder;
import dev.phi4ee.openai.OpenAiApiConfig;
import java.net.http.HttpResponse;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code GET /metrics} in Prometheus' format, scraped before and after requests: the meters move as they should. */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class MetricsEndpointTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String MODEL = OpenAiApiConfig.DEFAULT_MODEL_ID;

    /** Sums the samples of {@code name} whose label set contains every {@code labels} entry ({@code k="v"}). */
    static double value(String scrape, String name, String... labels) {
        double sum = 0;
        for (String line : scrape.split("\n")) {
            if (line.startsWith("#") || !(line.startsWith(name + "{") || line.startsWith(name + " "))) {
                continue;
            }
            int space = line.lastIndexOf(' ');
            String series = line.substring(0, space);
            if (Arrays.stream(labels).allMatch(series::contains)) {
                sum += Double.parseDouble(line.substring(space + 1));
            }
        }
        return sum;
    }

    static String scrape(ApiServer server) throws Exception {
        HttpResponse<String> r = ErrorStatusTest.send(server, "/metrics", null);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type"))
                .hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
        return r.body();
    }

    @Test
    void rejectionsAreCountedByStatusAndCode() throws Exception {
        try (ApiServer server = ApiServer.start(
                "127.0.0.1",
                0,
                OpenAiApiConfig.defaults().withMaxRequestBytes(400),
                EngineHolder.of(new ErrorStatusTest.FullEngine()))) {
            String before = scrape(server);
            assertThat(ErrorStatusTest.send(server, "/v1/chat/completions", ErrorStatusTest.BODY)
                            .statusCode())
                    .isEqualTo(429);
            assertThat(ErrorStatusTest.send(server, "/v1/chat/completions", ErrorStatusTest.BODY + " ".repeat(500))
                            .statusCode())
                    .isEqualTo(413);
            assertThat(ErrorStatusTest.send(
                                    server, "/v1/chat/completions", ErrorStatusTest.BODY.replace("{", "{\"n\":2,"))
                            .statusCode())
                    .isEqualTo(400);
            String after = scrape(server);

            String rejected = "phi4_requests_rejected_total";
            assertThat(value(after, rejected, "status=\"429\"", "code=\"rate_limit_exceeded\""))
                    .isEqualTo(value(before, rejected, "status=\"429\"") + 1);
            assertThat(value(after, rejected, "status=\"413\"", "code=\"request_too_large\""))
                    .isEqualTo(1);
            assertThat(value(after, rejected, "status=\"400\"", "code=\"unsupported_parameter\""))
                    .isEqualTo(1);
            assertThat(value(after, "phi4_requests_total", "outcome=\"rejected\""))
                    .isEqualTo(3);
            assertThat(value(after, "phi4_requests_active")).isZero();
            assertThat(after).contains("jvm_memory_used_bytes");
        }
    }

    @Test
    void completionsMoveTheTokenLatencyAndFirstTokenMeters() throws Exception {
        try (Phi4Engine engine = Phi4Engine.open(
                        Phi4TestModels.shared(TestModelSpec.defaults()),
                        EngineOptions.builder()
                                .executionProvider("cpu")
                                .intraOpThreads(1)
                                .build());
                ApiServer server =
                        ApiServer.start("127.0.0.1", 0, OpenAiApiConfig.defaults(), EngineHolder.of(engine))) {
            String before = scrape(server);
            String body = "{\"model\":\"" + MODEL + "\",\"temperature\":0,\"max_tokens\":8,"
                    + "\"messages\":[{\"role\":\"user\",\"content\":\"Describe the sea.\"}]}";
            HttpResponse<String> plain = ErrorStatusTest.send(server, "/v1/chat/completions", body);
            assertThat(plain.statusCode()).isEqualTo(200);
            JsonNode usage = JSON.readTree(plain.body()).get("usage");
            HttpResponse<String> streamed = ErrorStatusTest.send(
                    server,
                    "/v1/chat/completions",
                    body.replace("{", "{\"stream\":true,\"stream_options\":{\"include_usage\":true},"));
            assertThat(streamed.statusCode()).isEqualTo(200);
            assertThat(streamed.body()).contains("data: [DONE]");
            // Metering runs when the generation's future completes, which may trail the response by a moment.
            String after = scrapeUntil(server, "phi4_request_latency_seconds_count", 2);

            double finished = value(after, "phi4_requests_total", "outcome=\"stop\"")
                    + value(after, "phi4_requests_total", "outcome=\"length\"");
            assertThat(finished).isEqualTo(2);
            assertThat(value(after, "phi4_tokens_total", "kind=\"prompt\""))
                    .isEqualTo(value(before, "phi4_tokens_total", "kind=\"prompt\"")
                            + 2 * usage.get("prompt_tokens").asInt());
            assertThat(value(after, "phi4_tokens_total", "kind=\"generated\""))
                    .isEqualTo(2.0 * usage.get("completion_tokens").asInt())
                    .isPositive();
            assertThat(value(after, "phi4_time_to_first_token_seconds_count")).isEqualTo(2);
            assertThat(value(after, "phi4_time_to_first_token_seconds_sum"))
                    .isPositive()
                    .isLessThanOrEqualTo(value(after, "phi4_request_latency_seconds_sum"));
            assertThat(value(after, "phi4_request_latency_seconds_bucket", "le=\"+Inf\""))
                    .isEqualTo(2);
            assertThat(value(after, "phi4_generation_tokens_per_second_count")).isEqualTo(2);
            assertThat(value(after, "phi4_requests_active")).isZero();
        }
    }

    static String scrapeUntil(ApiServer server, String name, double atLeast) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        String s = scrape(server);
        while (value(s, name) < atLeast && System.nanoTime() < deadline) {
            Thread.sleep(20);
            s = scrape(server);
        }
        return s;
    }
}
