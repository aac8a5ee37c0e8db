package dev.phi4ee.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.AudioContent;
import dev.langchain4j.data.message.ImageContent;
import dev.langchain4j.data.message.PdfFileContent;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.TextContent;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.exception.InvalidRequestException;
import dev.langchain4j.exception.RateLimitException;
import dev.langchain4j.exception.UnsupportedFeatureException;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.PartialResponse;
import dev.langchain4j.model.chat.response.PartialResponseContext;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.service.AiServices;
import dev.phi4ee.core.api.EngineOptions;
import dev.phi4ee.core.api.EngineOverloadedException;
import dev.phi4ee.core.api.GenerationHandle;
import dev.phi4ee.core.api.GenerationOptions;
import dev.phi4ee.core.api.GenerationRequest;
import dev.phi4ee.core.api.GenerationResult;
import dev.phi4ee.core.api.InvalidInputException;
import dev.phi4ee.core.api.Media;
import dev.phi4ee.core.api.ModelInfo;
import dev.phi4ee.core.api.Phi4Engine;
import dev.phi4ee.core.api.TokenListener;
import dev.phi4ee.core.testkit.Phi4TestModels;
import dev.phi4ee.core.testkit.TestMedia;
import dev.phi4ee.core.testkit.TestModelSpec;
import java.net.URI;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The LangChain4j models over the test kit's Phi-4-shaped model (random weights: the text is noise, but greedy
 * decoding makes it reproducible, so what the adapters return can be compared with the engine's own answer).
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class Phi4ChatModelTest {
    static RecordingEngine engine;
    static ChatModel model;
    static Phi4StreamingChatModel streaming;

    @BeforeAll
    static void open() {
        engine = new RecordingEngine(Phi4Engine.open(
                Phi4TestModels.shared(TestModelSpec.defaults()),
                EngineOptions.builder()
                        .executionProvider("cpu")
                        .intraOpThreads(1)
                        .maxBatchSize(4)
                        .build()));
        model = Phi4ChatModel.builder().engine(engine).maxOutputTokens(12).build();
        streaming = Phi4StreamingChatModel.builder()
                .engine(engine)
                .maxOutputTokens(12)
                .build();
    }

    @AfterAll
    static void close() {
        if (engine != null) {
            engine.close();
        }
    }

    static GenerationResult direct(GenerationRequest.Builder request) {
        return engine.generate(
                request.options(GenerationOptions.builder().maxNewTokens(12).build())
                        .build());
    }

    @Test
    void plainChatIsTheEngineGreedyAnswerWithUsageAndFinishReason() {
        ChatResponse response = model.chat(
                SystemMessage.from("You are terse."),
                UserMessage.from("Describe the sea."),
                AiMessage.from("Blue."),
                UserMessage.from("And the sky?"));
        GenerationResult expected = direct(GenerationRequest.builder()
                .system("You are terse.")
                .user("Describe the sea.")
                .assistant("Blue.")
                .user("And the sky?"));

        assertThat(response.aiMessage().text()).isEqualTo(expected.text());
        assertThat(response.tokenUsage().inputTokenCount())
                .isEqualTo(expected.usage().promptTokens());
        assertThat(response.tokenUsage().outputTokenCount())
                .isEqualTo(expected.usage().generatedTokens())
                .isPositive();
        assertThat(response.tokenUsage().totalTokenCount())
                .isEqualTo(expected.usage().totalTokens());
        assertThat(response.finishReason()).isEqualTo(RequestMapping.finishReason(expected.finishReason()));
        assertThat(response.modelName()).isEqualTo("phi-4-multimodal-instruct");
        assertThat(engine.last().request().options().greedy()).isTrue();
    }

    @Test
    void requestParametersReachTheEngine() {
        ChatResponse response = model.chat(ChatRequest.builder()
                .messages(UserMessage.from("Count to ten."))
                .maxOutputTokens(3)
                .temperature(0.7)
                .topP(0.9)
                .topK(40)
                .stopSequences(List.of("zz"))
                .build());
        GenerationOptions sent = engine.last().request().options();
        assertThat(sent.maxNewTokens()).isEqualTo(3);
        assertThat(sent.doSample()).isTrue();
        assertThat(sent.temperature()).isEqualTo(0.7);
        assertThat(sent.topP()).isEqualTo(0.9);
        assertThat(sent.topK()).isEqualTo(40);
        assertThat(sent.stopSequences()).containsExactly("zz");
        assertThat(response.tokenUsage().outputTokenCount()).isLessThanOrEqualTo(3);
        if (response.tokenUsage().outputTokenCount() == 3) {
            assertThat(response.finishReason()).isEqualTo(FinishReason.LENGTH);
        }
    }

    @Test
    void streamedTextEqualsThePlainGreedyText() throws Exception {
        String plain = model.chat(UserMessage.from("Tell me about rivers."))
                .aiMessage()
                .text();
        Collected streamed = stream(ChatRequest.builder()
                .messages(UserMessage.from("Tell me about rivers."))
                .build());
        ChatResponse complete = streamed.complete.get(2, TimeUnit.MINUTES);
        assertThat(String.join("", streamed.partials)).isEqualTo(plain);
        assertThat(complete.aiMessage().text()).isEqualTo(plain);
        assertThat(streamed.partials).hasSizeGreaterThan(1);
        assertThat(complete.tokenUsage().outputTokenCount())
                .isEqualTo(engine.last().handle().result().join().usage().generatedTokens());
        assertThat(streamed.threads).allSatisfy(t -> assertThat(t).isTrue());
    }

    @Test
    void aStreamCancelledFromItsFirstPartialFreesTheGeneration() throws Exception {
        Collected streamed = new Collected(true);
        streaming.chat(
                ChatRequest.builder()
                        .messages(UserMessage.from("Tell a very long story."))
                        .maxOutputTokens(2000)
                        .build(),
                streamed);
        GenerationResult result = engine.last().handle().result().get(2, TimeUnit.MINUTES);
        assertThat(result.finishReason()).isEqualTo(dev.phi4ee.core.api.FinishReason.CANCELLED);
        assertThat(result.usage().generatedTokens()).isLessThan(2000);
        Thread.sleep(200);
        assertThat(streamed.complete).isNotDone();
        assertThat(streamed.partials).hasSize(1);
    }

    @Test
    void imageAudioAndPdfContentReachTheEngineAsMedia() {
        byte[] png = TestMedia.png(96, 64);
        byte[] wav = TestMedia.wav(16_000, 1.0, 440);
        String png64 = Base64.getEncoder().encodeToString(png);
        int textOnly =
                model.chat(UserMessage.from("What is this?")).tokenUsage().inputTokenCount();

        ChatResponse image =
                model.chat(UserMessage.from(ImageContent.from(png64, "image/png"), TextContent.from("What is this?")));
        GenerationResult expectedImage =
                direct(GenerationRequest.builder().image(Media.of(png)).user("What is this?"));
        assertThat(image.aiMessage().text()).isEqualTo(expectedImage.text());
        assertThat(image.tokenUsage().inputTokenCount())
                .isEqualTo(expectedImage.usage().promptTokens())
                .isGreaterThan(textOnly + 10);

        ChatResponse dataUrl = model.chat(UserMessage.from(
                ImageContent.from(URI.create("data:image/png;base64," + png64)), TextContent.from("What is this?")));
        assertThat(dataUrl.aiMessage().text()).isEqualTo(expectedImage.text());

        ChatResponse audio = model.chat(UserMessage.from(
                AudioContent.from(Base64.getEncoder().encodeToString(wav), "audio/wav"),
                TextContent.from("What is this?")));
        GenerationResult expectedAudio =
                direct(GenerationRequest.builder().audio(Media.of(wav)).user("What is this?"));
        assertThat(audio.aiMessage().text()).isEqualTo(expectedAudio.text());
        assertThat(audio.tokenUsage().inputTokenCount())
                .isEqualTo(expectedAudio.usage().promptTokens())
                .isGreaterThan(textOnly + 10);
        assertThat(engine.last().request().messages().get(0).parts().get(0))
                .isInstanceOf(dev.phi4ee.core.api.ContentPart.Audio.class);

        ChatResponse pdf = model.chat(UserMessage.from(
                PdfFileContent.from(Base64.getEncoder().encodeToString(TestMedia.pdf()), "application/pdf"),
                TextContent.from("What is this?")));
        assertThat(pdf.tokenUsage().inputTokenCount()).isGreaterThan(textOnly + 10);
    }

    @Test
    void remoteMediaUrlsAreRefusedNotFetched() {
        assertThatThrownBy(() -> model.chat(UserMessage.from(
                        ImageContent.from(URI.create("http://169.254.169.254/latest/meta-data")),
                        TextContent.from("What is this?"))))
                .isInstanceOf(InvalidRequestException.class)
                .hasCauseInstanceOf(InvalidInputException.class)
                .hasMessageContaining("remote URLs are not fetched")
                .hasMessageContaining("content[0]");
        assertThatThrownBy(() -> model.chat(UserMessage.from(
                        ImageContent.from("%%%not base64%%%", "image/png"), TextContent.from("What is this?"))))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("base64");
        // one stray character inside otherwise valid data: a MIME decoder would skip it and decode garbage
        String png64 = Base64.getEncoder().encodeToString(TestMedia.png(32, 32));
        String corrupt = png64.substring(0, 8) + "*" + png64.substring(8);
        assertThatThrownBy(() -> model.chat(
                        UserMessage.from(ImageContent.from(corrupt, "image/png"), TextContent.from("What is this?"))))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("base64");
    }

    @Test
    void unsupportedFeaturesAreRefusedByName() {
        assertThatThrownBy(() -> model.chat(ChatRequest.builder()
                        .messages(UserMessage.from("hi"))
                        .frequencyPenalty(0.5)
                        .build()))
                .isInstanceOf(UnsupportedFeatureException.class)
                .hasMessageContaining("frequencyPenalty");
    }

    @Test
    void aFullQueueIsARetriableRateLimitAndBadInputIsNot() throws Exception {
        Phi4Engine full = new Phi4Engine() {
            @Override
            public GenerationHandle stream(GenerationRequest request, TokenListener listener) {
                throw new EngineOverloadedException("queue full (8 waiting)");
            }

            @Override
            public Flow.Publisher<String> publish(GenerationRequest request) {
                throw new UnsupportedOperationException();
            }

            @Override
            public ModelInfo info() {
                return engine.info();
            }

            @Override
            public void close() {}
        };
        assertThatThrownBy(() -> Phi4ChatModel.builder().engine(full).build().chat("hi"))
                .isInstanceOf(RateLimitException.class)
                .hasCauseInstanceOf(EngineOverloadedException.class);
        Collected streamed = new Collected(false);
        Phi4StreamingChatModel.builder().engine(full).build().chat("hi", streamed);
        assertThat(streamed.error.get(1, TimeUnit.MINUTES)).isInstanceOf(RateLimitException.class);

        assertThatThrownBy(() -> model.chat(ChatRequest.builder()
                        .messages(UserMessage.from("hi"))
                        .maxOutputTokens(100_000)
                        .build()))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("4096");
    }

    interface Assistant {
        @dev.langchain4j.service.SystemMessage("You are terse.")
        String answer(String question);
    }

    @Test
    void anAiServiceRunsOnTheModel() {
        Assistant assistant = AiServices.create(Assistant.class, model);
        String answer = assistant.answer("Describe the sea.");
        GenerationResult expected =
                direct(GenerationRequest.builder().system("You are terse.").user("Describe the sea."));
        assertThat(answer).isEqualTo(expected.text());
    }

    Collected stream(ChatRequest request) {
        Collected c = new Collected(false);
        streaming.chat(request, c);
        return c;
    }

    /** Collects a stream's callbacks; optionally cancels from the first partial response. */
    static class Collected implements StreamingChatResponseHandler {
        final List<String> partials = new CopyOnWriteArrayList<>();
        final List<Boolean> threads = new CopyOnWriteArrayList<>();
        final CompletableFuture<ChatResponse> complete = new CompletableFuture<>();
        final CompletableFuture<Throwable> error = new CompletableFuture<>();
        private final boolean cancelOnFirst;

        Collected(boolean cancelOnFirst) {
            this.cancelOnFirst = cancelOnFirst;
        }

        @Override
        public void onPartialResponse(PartialResponse partial, PartialResponseContext context) {
            partials.add(partial.text());
            threads.add(Thread.currentThread().isVirtual());
            if (cancelOnFirst) {
                context.streamingHandle().cancel();
            }
        }

        @Override
        public void onCompleteResponse(ChatResponse response) {
            complete.complete(response);
        }

        @Override
        public void onError(Throwable e) {
            error.complete(e);
            complete.completeExceptionally(e);
        }
    }
}
