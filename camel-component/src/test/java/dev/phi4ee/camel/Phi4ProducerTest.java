package dev.phi4ee.camel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.phi4ee.core.api.FinishReason;
import dev.phi4ee.core.api.InvalidInputException;
import dev.phi4ee.core.api.TokenUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.camel.Exchange;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.spi.Registry;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Routes through phi4:generate with every body kind the component accepts. */
class Phi4ProducerTest extends CamelTestSupport {

    @TempDir
    static Path inbox;

    private final AtomicInteger redeliveries = new AtomicInteger();

    @Override
    protected void bindToRegistry(Registry registry) {
        registry.bind("phi4Engine", TestEngines.shared());
    }

    @Override
    protected RoutesBuilder createRouteBuilder() {
        return new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:text").to("phi4:generate?maxOutputLength=16").to("mock:result");
                from("file:" + inbox + "?noop=true&include=.*\\.png")
                        .to("phi4:generate?prompt=What does this scan say?&maxOutputLength=8")
                        .to("mock:files");
                from("file:" + inbox + "?noop=true&include=.*\\.wav")
                        .to("phi4:generate?prompt=Transcribe the call.&maxOutputLength=8")
                        .to("mock:files");
                from("direct:media")
                        .to("phi4:generate?prompt=Describe.&maxOutputLength=8")
                        .to("mock:result");
                from("direct:stream")
                        .to("phi4:generate?streaming=true&streamingEndpoint=mock:chunks&maxOutputLength=24")
                        .to("mock:result");
                from("direct:handled")
                        .onException(InvalidInputException.class)
                        .handled(true)
                        .setBody(constant("rejected"))
                        .to("mock:rejected")
                        .end()
                        .to("phi4:generate?prompt=Describe.");
                from("direct:invalid")
                        .errorHandler(defaultErrorHandler()
                                .redeliveryDelay(0)
                                .retryWhile(Phi4ExchangeException.retryable(3))
                                .onRedelivery(e -> redeliveries.incrementAndGet()))
                        .to("phi4:generate?prompt=Describe.");
            }
        };
    }

    @Test
    void stringBodyIsThePromptAndResultsTravelAsHeaders() throws Exception {
        MockEndpoint result = getMockEndpoint("mock:result");
        result.expectedMessageCount(1);

        template.sendBody("direct:text", "Hello Phi");

        result.assertIsSatisfied();
        Exchange out = result.getExchanges().get(0);
        assertThat(out.getMessage().getBody()).isInstanceOf(String.class);
        assertThat(out.getMessage().getHeader(Phi4Constants.GENERATED_TOKENS, Integer.class))
                .isBetween(1, 16);
        assertThat(out.getMessage().getHeader(Phi4Constants.FINISH_REASON)).isInstanceOf(FinishReason.class);
        TokenUsage usage = out.getMessage().getHeader(Phi4Constants.TOKEN_USAGE, TokenUsage.class);
        assertThat(usage.promptTokens()).isPositive();
        assertThat(out.getMessage().getHeader(Phi4Constants.PROMPT_TOKENS, Integer.class))
                .isEqualTo(usage.promptTokens());
        assertThat(out.getMessage().getHeader(Phi4Constants.ORIGINAL_BODY)).isEqualTo("Hello Phi");
        assertThat(out.getMessage().getHeader(Phi4Constants.TIMINGS)).isNotNull();
    }

    @Test
    void imageAndAudioFilesFromFileRoutesAreSniffed() throws Exception {
        MockEndpoint files = getMockEndpoint("mock:files");
        files.expectedMessageCount(2);
        Files.write(inbox.resolve("scan-1.png"), TestMedia.png(320, 200));
        Files.write(inbox.resolve("call-1.wav"), TestMedia.wav(1.0));

        files.assertIsSatisfied(20_000);
        for (Exchange e : files.getExchanges()) {
            TokenUsage usage = e.getMessage().getHeader(Phi4Constants.TOKEN_USAGE, TokenUsage.class);
            String name = e.getMessage().getHeader(Exchange.FILE_NAME, String.class);
            if (name.endsWith(".png")) {
                assertThat(usage.imageTokens()).as(name).isPositive();
                assertThat(usage.audioTokens()).as(name).isZero();
            } else {
                assertThat(usage.audioTokens()).as(name).isPositive();
                assertThat(usage.imageTokens()).as(name).isZero();
            }
            assertThat(e.getMessage().getHeader(Phi4Constants.ORIGINAL_BODY)).isNotNull();
        }
    }

    @Test
    void mixedListOfScansAndARecordingIsOneRequest() throws Exception {
        getMockEndpoint("mock:result").expectedMessageCount(1);
        Path scan = Files.write(inbox.resolve("page.bin"), TestMedia.png(200, 300));

        template.sendBody(
                "direct:media",
                List.of(scan.toFile(), TestMedia.png(100, 100), new java.io.ByteArrayInputStream(TestMedia.wav(0.5))));

        getMockEndpoint("mock:result").assertIsSatisfied();
        TokenUsage usage = getMockEndpoint("mock:result")
                .getExchanges()
                .get(0)
                .getMessage()
                .getHeader(Phi4Constants.TOKEN_USAGE, TokenUsage.class);
        assertThat(usage.imageTokens()).isPositive();
        assertThat(usage.audioTokens()).isPositive();
        assertThat(usage.promptTokens()).isGreaterThan(usage.imageTokens() + usage.audioTokens());
    }

    @Test
    void streamingSendsOrderedChunksAndEndsWithTheWholeText() throws Exception {
        MockEndpoint chunks = getMockEndpoint("mock:chunks");
        MockEndpoint result = getMockEndpoint("mock:result");
        result.expectedMessageCount(1);

        Exchange sent = template.send("direct:stream", e -> e.getMessage().setBody("one two three"));

        result.assertIsSatisfied();
        String whole = result.getExchanges().get(0).getMessage().getBody(String.class);
        int count = result.getExchanges().get(0).getMessage().getHeader(Phi4Constants.CHUNK_COUNT, Integer.class);
        assertThat(count).isPositive();
        chunks.expectedMessageCount(count);
        chunks.assertIsSatisfied();
        StringBuilder joined = new StringBuilder();
        for (int i = 0; i < count; i++) {
            Exchange chunk = chunks.getExchanges().get(i);
            assertThat(chunk.getMessage().getHeader(Phi4Constants.CHUNK_INDEX, Integer.class))
                    .isEqualTo(i);
            assertThat(chunk.getMessage().getHeader(Phi4Constants.CORRELATION_ID))
                    .isEqualTo(sent.getExchangeId());
            joined.append(chunk.getMessage().getBody(String.class));
        }
        assertThat(joined.toString()).isEqualTo(whole);
    }

    @Test
    void unrecognisedMediaFailsTheExchangeWithoutRedelivery() {
        Exchange out = template.send("direct:invalid", e -> e.getMessage().setBody(new byte[] {1, 2, 3, 4, 5, 6}));

        assertThat(out.getException()).isInstanceOf(Phi4ExchangeException.class);
        assertThat(out.getException().getCause()).isInstanceOf(InvalidInputException.class);
        assertThat(((Phi4ExchangeException) out.getException()).isRetryable()).isFalse();
        assertThat(redeliveries.get()).as("no redelivery of invalid input").isZero();
    }

    @Test
    void onExceptionMatchesTheEngineExceptionAsCause() throws Exception {
        getMockEndpoint("mock:rejected").expectedBodiesReceived("rejected");

        Exchange out = template.send("direct:handled", e -> e.getMessage().setBody(new byte[] {9, 9, 9, 9, 9}));

        getMockEndpoint("mock:rejected").assertIsSatisfied();
        assertThat(out.getException()).isNull();
    }

    @Test
    void corruptImageIsRejectedByTheEngine() {
        byte[] png = TestMedia.png(64, 64);
        byte[] corrupt = java.util.Arrays.copyOf(png, 40); // PNG signature, truncated image data

        Exchange out = template.send("direct:invalid", e -> e.getMessage().setBody(corrupt));

        assertThat(out.getException()).isInstanceOf(Phi4ExchangeException.class);
        assertThat(out.getException().getCause()).isInstanceOf(InvalidInputException.class);
        assertThat(redeliveries.get()).isZero();
    }

    @Test
    void unknownMediaTypeHeaderIsInvalidInput() {
        Exchange out = template.send("direct:invalid", e -> {
            e.getMessage().setBody(TestMedia.png(32, 32));
            e.getMessage().setHeader(Phi4Constants.MEDIA_TYPE, "video/mp4");
        });

        assertThat(out.getException().getCause())
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("video/mp4");
    }

    static void await(MockEndpoint mock, long seconds) throws InterruptedException {
        mock.assertIsSatisfied(TimeUnit.SECONDS.toMillis(seconds));
    }
}
