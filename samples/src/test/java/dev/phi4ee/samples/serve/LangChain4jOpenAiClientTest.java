package dev.phi4ee.samples.serve;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.data.message.AudioContent;
import dev.langchain4j.data.message.ImageContent;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.TextContent;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import dev.phi4ee.core.api.EngineOptions;
import dev.phi4ee.core.api.Phi4Engine;
import dev.phi4ee.core.testkit.Phi4TestModels;
import dev.phi4ee.core.testkit.TestMedia;
import dev.phi4ee.core.testkit.TestModelSpec;
import dev.phi4ee.langchain4j.Phi4ChatModel;
import dev.phi4ee.openai.EngineHolder;
import dev.phi4ee.openai.OpenAiApiConfig;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * LangChain4j's own OpenAI client ({@code langchain4j-open-ai}) pointed at the embedded server gets, over HTTP, the
 * same greedy answers as the in-process {@link Phi4ChatModel} on the same engine.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class LangChain4jOpenAiClientTest {
    static Phi4Engine engine;
    static ApiServer server;
    static ChatModel overHttp;
    static OpenAiStreamingChatModel streamingOverHttp;
    static ChatModel inProcess;

    @BeforeAll
    static void start() {
        engine = Phi4Engine.open(
                Phi4TestModels.shared(TestModelSpec.defaults()),
                EngineOptions.builder()
                        .executionProvider("cpu")
                        .intraOpThreads(1)
                        .maxBatchSize(4)
                        .build());
        server = ApiServer.start("127.0.0.1", 0, OpenAiApiConfig.defaults(), EngineHolder.of(engine));
        String baseUrl = server.baseUri() + "v1";
        overHttp = OpenAiChatModel.builder()
                .baseUrl(baseUrl)
                .apiKey("unused")
                .modelName(OpenAiApiConfig.DEFAULT_MODEL_ID)
                .temperature(0.0)
                .maxCompletionTokens(12)
                .maxRetries(0)
                .timeout(Duration.ofMinutes(2))
                .build();
        streamingOverHttp = OpenAiStreamingChatModel.builder()
                .baseUrl(baseUrl)
                .apiKey("unused")
                .modelName(OpenAiApiConfig.DEFAULT_MODEL_ID)
                .temperature(0.0)
                .maxCompletionTokens(12)
                .timeout(Duration.ofMinutes(2))
                .build();
        inProcess = Phi4ChatModel.builder().engine(engine).maxOutputTokens(12).build();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
        if (engine != null) {
            engine.close();
        }
    }

    @Test
    void textOverHttpEqualsTheInProcessModel() throws Exception {
        SystemMessage system = SystemMessage.from("You are terse.");
        UserMessage user = UserMessage.from("Describe the sea.");
        ChatResponse http = overHttp.chat(system, user);
        ChatResponse direct = inProcess.chat(system, user);
        assertThat(http.aiMessage().text())
                .isNotEmpty()
                .isEqualTo(direct.aiMessage().text());
        assertThat(http.tokenUsage().inputTokenCount())
                .isEqualTo(direct.tokenUsage().inputTokenCount());
        assertThat(http.tokenUsage().outputTokenCount())
                .isEqualTo(direct.tokenUsage().outputTokenCount());
        assertThat(http.finishReason()).isEqualTo(direct.finishReason());

        StringBuilder partials = new StringBuilder();
        CompletableFuture<ChatResponse> done = new CompletableFuture<>();
        streamingOverHttp.chat(java.util.List.of(system, user), new StreamingChatResponseHandler() {
            @Override
            public void onPartialResponse(String partial) {
                partials.append(partial);
            }

            @Override
            public void onCompleteResponse(ChatResponse response) {
                done.complete(response);
            }

            @Override
            public void onError(Throwable error) {
                done.completeExceptionally(error);
            }
        });
        ChatResponse streamed = done.get(2, TimeUnit.MINUTES);
        assertThat(partials.toString()).isEqualTo(direct.aiMessage().text());
        assertThat(streamed.aiMessage().text()).isEqualTo(direct.aiMessage().text());
    }

    @Test
    void imageAndAudioOverHttpEqualTheInProcessModel() {
        String png = Base64.getEncoder().encodeToString(TestMedia.png(96, 64));
        UserMessage image = UserMessage.from(ImageContent.from(png, "image/png"), TextContent.from("What is this?"));
        ChatResponse http = overHttp.chat(image);
        ChatResponse direct = inProcess.chat(image);
        assertThat(http.aiMessage().text()).isEqualTo(direct.aiMessage().text());
        assertThat(http.tokenUsage().inputTokenCount())
                .isEqualTo(direct.tokenUsage().inputTokenCount())
                .isGreaterThan(inProcess
                                .chat(UserMessage.from("What is this?"))
                                .tokenUsage()
                                .inputTokenCount()
                        + 10);

        String wav = Base64.getEncoder().encodeToString(TestMedia.wav(16_000, 1.0, 440));
        UserMessage audio = UserMessage.from(AudioContent.from(wav, "audio/wav"), TextContent.from("What is this?"));
        ChatResponse httpAudio = overHttp.chat(audio);
        ChatResponse directAudio = inProcess.chat(audio);
        assertThat(httpAudio.aiMessage().text())
                .isEqualTo(directAudio.aiMessage().text());
        assertThat(httpAudio.tokenUsage().inputTokenCount())
                .isEqualTo(directAudio.tokenUsage().inputTokenCount());
    }
}
