package dev.phi4ee.samples.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.UnauthorizedException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionContentPart;
import com.openai.models.chat.completions.ChatCompletionContentPartImage;
import com.openai.models.chat.completions.ChatCompletionContentPartInputAudio;
import com.openai.models.chat.completions.ChatCompletionContentPartText;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.completions.CompletionUsage;
import dev.phi4ee.core.api.EngineOptions;
import dev.phi4ee.core.api.FinishReason;
import dev.phi4ee.core.api.GenerationOptions;
import dev.phi4ee.core.api.GenerationRequest;
import dev.phi4ee.core.api.GenerationResult;
import dev.phi4ee.core.api.Phi4Engine;
import dev.phi4ee.core.testkit.Phi4TestModels;
import dev.phi4ee.core.testkit.TestMedia;
import dev.phi4ee.core.testkit.TestModelSpec;
import dev.phi4ee.openai.EngineHolder;
import dev.phi4ee.openai.OpenAiApiConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The official OpenAI Java SDK against the embedded server on an ephemeral loopback port, serving the test kit's
 * Phi-4-shaped model (random weights: the text is noise, but greedy decoding makes it reproducible, so what the HTTP
 * layer returns can be compared with what the engine produces directly).
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class OpenAiProtocolTest {
    static final String MODEL = OpenAiApiConfig.DEFAULT_MODEL_ID;
    static final String KEY = "sk-test-key-1";
    static final ObjectMapper JSON = new ObjectMapper();

    static RecordingEngine engine;
    static ApiServer server;
    static ApiServer keyed;
    static OpenAIClient client;
    static HttpClient http;

    @BeforeAll
    static void start() {
        Phi4Engine real = Phi4Engine.open(
                Phi4TestModels.shared(TestModelSpec.defaults()),
                EngineOptions.builder()
                        .executionProvider("cpu")
                        .intraOpThreads(1)
                        .maxBatchSize(8)
                        .build());
        engine = new RecordingEngine(real);
        EngineHolder holder = EngineHolder.of(engine);
        server = ApiServer.start("127.0.0.1", 0, OpenAiApiConfig.defaults(), holder);
        keyed = ApiServer.start(
                "127.0.0.1", 0, OpenAiApiConfig.defaults().withApiKeys(Set.of(KEY, "sk-other")), holder);
        client = client(server, "unused");
        http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    }

    @AfterAll
    static void stop() {
        if (keyed != null) {
            keyed.close();
        }
        if (server != null) {
            server.close();
        }
        if (engine != null) {
            engine.close();
        }
    }

    static OpenAIClient client(ApiServer s, String key) {
        return OpenAIOkHttpClient.builder()
                .baseUrl(s.baseUri() + "v1")
                .apiKey(key)
                .maxRetries(0)
                .timeout(Duration.ofSeconds(120))
                .build();
    }

    static ChatCompletionCreateParams.Builder greedy(String prompt, long maxTokens) {
        return ChatCompletionCreateParams.builder()
                .model(MODEL)
                .addUserMessage(prompt)
                .temperature(0.0)
                .maxCompletionTokens(maxTokens);
    }

    record Streamed(String text, String finishReason, CompletionUsage usage, int chunks) {}

    static Streamed stream(ChatCompletionCreateParams params) {
        StringBuilder text = new StringBuilder();
        String finish = null;
        CompletionUsage usage = null;
        int chunks = 0;
        try (StreamResponse<ChatCompletionChunk> response =
                client.chat().completions().createStreaming(params)) {
            for (ChatCompletionChunk chunk : (Iterable<ChatCompletionChunk>) response.stream()::iterator) {
                chunks++;
                assertThat(chunk.model()).isEqualTo(MODEL);
                for (ChatCompletionChunk.Choice choice : chunk.choices()) {
                    choice.delta().content().ifPresent(text::append);
                    if (choice.finishReason().isPresent()) {
                        finish = choice.finishReason().get().asString();
                    }
                }
                if (chunk.usage().isPresent()) {
                    usage = chunk.usage().get();
                }
            }
        }
        return new Streamed(text.toString(), finish, usage, chunks);
    }

    static String text(ChatCompletion c) {
        return c.choices().get(0).message().content().orElse("");
    }

    @Test
    void listsTheModel() {
        assertThat(client.models().list().data()).singleElement().satisfies(m -> assertThat(m.id())
                .isEqualTo(MODEL));
    }

    @Test
    void plainAnswerMatchesTheEngineAndTheStream() {
        ChatCompletion plain = client.chat()
                .completions()
                .create(greedy("Describe the sea.", 16).build());
        assertThat(plain.id()).startsWith("chatcmpl-");
        assertThat(plain.model()).isEqualTo(MODEL);
        assertThat(plain.created()).isPositive();
        CompletionUsage usage = plain.usage().orElseThrow();
        assertThat(usage.totalTokens()).isEqualTo(usage.promptTokens() + usage.completionTokens());

        GenerationResult direct = engine.generate(GenerationRequest.builder()
                .user("Describe the sea.")
                .options(GenerationOptions.builder().maxNewTokens(16).build())
                .build());
        assertThat(text(plain)).isEqualTo(direct.text());
        assertThat(usage.promptTokens()).isEqualTo(direct.usage().promptTokens());
        assertThat(usage.completionTokens()).isEqualTo(direct.usage().generatedTokens());
        String expectedFinish = direct.finishReason() == FinishReason.LENGTH ? "length" : "stop";
        assertThat(plain.choices().get(0).finishReason().asString()).isEqualTo(expectedFinish);

        Streamed streamed = stream(greedy("Describe the sea.", 16)
                .streamOptions(
                        ChatCompletionStreamOptions.builder().includeUsage(true).build())
                .build());
        assertThat(streamed.text()).isEqualTo(text(plain));
        assertThat(streamed.finishReason()).isEqualTo(expectedFinish);
        assertThat(streamed.usage()).isNotNull();
        assertThat(streamed.usage().promptTokens()).isEqualTo(usage.promptTokens());
        assertThat(streamed.usage().completionTokens()).isEqualTo(usage.completionTokens());
        assertThat(streamed.chunks()).isGreaterThan(2);
    }

    @Test
    void stopSequenceCutsTheAnswer() {
        String full = text(
                client.chat().completions().create(greedy("Count to ten.", 24).build()));
        assertThat(full.length()).as("greedy text %s", full).isGreaterThanOrEqualTo(4);
        String stop = full.substring(full.length() / 2, full.length() / 2 + 2);
        String expected = full.substring(0, full.indexOf(stop));

        ChatCompletion cut = client.chat()
                .completions()
                .create(greedy("Count to ten.", 24)
                        .stop(ChatCompletionCreateParams.Stop.ofStrings(List.of(stop, "\u0000never")))
                        .build());
        assertThat(text(cut)).isEqualTo(expected);
        assertThat(cut.choices().get(0).finishReason().asString()).isEqualTo("stop");
        assertThat(stream(greedy("Count to ten.", 24).stop(stop).build()).text())
                .isEqualTo(expected);
    }

    @Test
    void imageAudioAndPdfPartsReachTheEngine() {
        long textOnly = promptTokens(List.of(textPart("What is this?")));
        String png = "data:image/png;base64," + Base64.getEncoder().encodeToString(TestMedia.png(96, 64));
        long withImage = promptTokens(List.of(
                ChatCompletionContentPart.ofImageUrl(ChatCompletionContentPartImage.builder()
                        .imageUrl(ChatCompletionContentPartImage.ImageUrl.builder()
                                .url(png)
                                .build())
                        .build()),
                textPart("What is this?")));
        long withAudio = promptTokens(List.of(
                ChatCompletionContentPart.ofInputAudio(ChatCompletionContentPartInputAudio.builder()
                        .inputAudio(ChatCompletionContentPartInputAudio.InputAudio.builder()
                                .data(Base64.getEncoder().encodeToString(TestMedia.wav(16_000, 1.0, 440)))
                                .format(ChatCompletionContentPartInputAudio.InputAudio.Format.WAV)
                                .build())
                        .build()),
                textPart("What is this?")));
        long withPdf = promptTokens(List.of(
                ChatCompletionContentPart.ofFile(ChatCompletionContentPart.File.builder()
                        .file(ChatCompletionContentPart.File.FileObject.builder()
                                .fileData("data:application/pdf;base64,"
                                        + Base64.getEncoder().encodeToString(TestMedia.pdf()))
                                .filename("page.pdf")
                                .build())
                        .build()),
                textPart("What is this?")));
        // Each medium adds its placeholder rows (image tokens, audio tokens) to the prompt.
        assertThat(withImage).isGreaterThan(textOnly + 10);
        assertThat(withAudio).isGreaterThan(textOnly + 10);
        assertThat(withPdf).isGreaterThan(textOnly + 10);
    }

    static ChatCompletionContentPart textPart(String text) {
        return ChatCompletionContentPart.ofText(
                ChatCompletionContentPartText.builder().text(text).build());
    }

    static long promptTokens(List<ChatCompletionContentPart> parts) {
        ChatCompletion c = client.chat()
                .completions()
                .create(ChatCompletionCreateParams.builder()
                        .model(MODEL)
                        .addUserMessageOfArrayOfContentParts(parts)
                        .temperature(0.0)
                        .maxCompletionTokens(2)
                        .build());
        return c.usage().orElseThrow().promptTokens();
    }

    @Test
    void badRequestsAreOpenAiShaped400s() throws Exception {
        assertThatThrownBy(() ->
                        client.chat().completions().create(greedy("hi", 4).n(2).build()))
                .isInstanceOfSatisfying(BadRequestException.class, e -> {
                    assertThat(e.statusCode()).isEqualTo(400);
                    assertThat(e.param()).contains("n");
                });
        assertThatThrownBy(() ->
                        client.chat().completions().create(greedy("hi", 100_000).build()))
                .isInstanceOfSatisfying(BadRequestException.class, e -> {
                    assertThat(e.code()).contains("context_length_exceeded");
                    assertThat(e.getMessage()).contains("4096");
                });
        String corruptImage = "data:image/png;base64," + Base64.getEncoder().encodeToString(new byte[] {1, 2, 3, 4, 5});
        assertThatThrownBy(() -> promptTokens(
                        List.of(ChatCompletionContentPart.ofImageUrl(ChatCompletionContentPartImage.builder()
                                .imageUrl(ChatCompletionContentPartImage.ImageUrl.builder()
                                        .url(corruptImage)
                                        .build())
                                .build()))))
                .isInstanceOfSatisfying(BadRequestException.class, e -> assertThat(e.statusCode())
                        .isEqualTo(400));

        HttpResponse<String> malformed = post(server, "{\"model\": \"" + MODEL + "\", \"messages\": [", null);
        assertThat(malformed.statusCode()).isEqualTo(400);
        assertThat(malformed.headers().firstValue("Content-Type"))
                .hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
        JsonNode error = JSON.readTree(malformed.body()).get("error");
        assertThat(error.get("type").asText()).isEqualTo("invalid_request_error");
        assertThat(error.get("message").asText()).contains("not valid JSON");
        assertThat(error.has("param")).isTrue();
        assertThat(error.has("code")).isTrue();

        HttpResponse<String> unknown = http.send(
                HttpRequest.newBuilder(server.baseUri().resolve("/v1/nothing-here"))
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(unknown.body()).get("error").has("message")).isTrue();
    }

    @Test
    void keysAreRequiredWhenConfigured() throws Exception {
        assertThatThrownBy(() -> client(keyed, "sk-wrong").models().list())
                .isInstanceOfSatisfying(UnauthorizedException.class, e -> {
                    assertThat(e.statusCode()).isEqualTo(401);
                    assertThat(e.code()).contains("invalid_api_key");
                    assertThat(e.getMessage()).doesNotContain("sk-wrong");
                });
        HttpResponse<String> missing = post(keyed, "{}", null);
        assertThat(missing.statusCode()).isEqualTo(401);
        assertThat(JSON.readTree(missing.body()).at("/error/code").asText()).isEqualTo("invalid_api_key");
        assertThat(text(client(keyed, "sk-other")
                        .chat()
                        .completions()
                        .create(greedy("hi", 2).build())))
                .isNotNull();
        HttpResponse<String> health = http.send(
                HttpRequest.newBuilder(keyed.baseUri().resolve("/health/ready"))
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(health.statusCode()).as("probes need no key").isEqualTo(200);
        assertThat(JSON.readTree(health.body())
                        .at("/checks/0/data/executionProvider")
                        .asText())
                .isEqualTo("cpu");
    }

    @Test
    void sixteenConcurrentStreamsEachGetTheirOwnGreedyText() throws Exception {
        // 16 streams on an engine batching 8: half decode together, the rest queue and join as slots free up.
        List<String> words = List.of("alpha", "beta gamma", "delta", "epsilon zeta eta");
        List<String> prompts = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            prompts.add(words.get(i % words.size()) + " " + i);
        }
        List<String> expected = new ArrayList<>();
        for (String p : prompts) {
            expected.add(text(client.chat().completions().create(greedy(p, 12).build())));
        }
        ExecutorService pool = Executors.newFixedThreadPool(prompts.size());
        try {
            List<Future<Streamed>> futures = new ArrayList<>();
            for (String p : prompts) {
                futures.add(pool.submit(() -> stream(greedy(p, 12).build())));
            }
            for (int i = 0; i < prompts.size(); i++) {
                assertThat(futures.get(i).get(2, TimeUnit.MINUTES).text())
                        .as(prompts.get(i))
                        .isEqualTo(expected.get(i));
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aClientLeavingMidStreamCancelsItsGeneration() throws Exception {
        int before = engine.submitted.size();
        String body = "{\"model\":\"" + MODEL + "\",\"stream\":true,\"temperature\":0,\"max_tokens\":3000,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"Tell a very long story.\"}]}";
        HttpResponse<java.io.InputStream> response = http.send(
                HttpRequest.newBuilder(server.baseUri().resolve("/v1/chat/completions"))
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type"))
                .hasValueSatisfying(t -> assertThat(t).startsWith("text/event-stream"));
        try (java.io.InputStream in = response.body()) {
            byte[] first = in.readNBytes(200);
            assertThat(new String(first, java.nio.charset.StandardCharsets.UTF_8))
                    .startsWith("data: {");
        }
        RecordingEngine.Submitted submitted = engine.submitted.stream()
                .skip(before)
                .filter(s -> s.request().options().maxNewTokens() == 3000)
                .findFirst()
                .orElseThrow();
        GenerationResult result = submitted.handle().result().get(60, TimeUnit.SECONDS);
        assertThat(result.finishReason()).isEqualTo(FinishReason.CANCELLED);
        assertThat(result.usage().generatedTokens()).isLessThan(3000);
    }

    static HttpResponse<String> post(ApiServer s, String body, String key) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(s.baseUri().resolve("/v1/chat/completions"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        Optional.ofNullable(key).ifPresent(k -> b.header("Authorization", "Bearer " + k));
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static URI uri(ApiServer s, String path) {
        return s.baseUri().resolve(path);
    }
}
