package dev.phi4ee.camel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.phi4ee.core.api.ContentPart;
import dev.phi4ee.core.api.GenerationRequest;
import dev.phi4ee.core.api.InvalidInputException;
import dev.phi4ee.core.api.TokenUsage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.spi.Registry;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How an exchange becomes a request (prompt expression, system prompt, part order, type override), observed on a recording stand-in engine. */
class Phi4RequestMappingTest extends CamelTestSupport {

    private static final EchoEngine ENGINE = new EchoEngine(Duration.ofMillis(1));

    @TempDir
    static Path textInbox;

    @AfterAll
    static void closeEngine() {
        ENGINE.close();
    }

    @Override
    protected void bindToRegistry(Registry registry) {
        registry.bind("phi4Engine", ENGINE);
    }

    @Override
    protected RoutesBuilder createRouteBuilder() {
        return new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:prompted")
                        .to("phi4:generate?prompt=Summarise: ${body}&systemPrompt=Be brief.")
                        .to("mock:result");
                from("direct:media").to("phi4:generate?prompt=Describe.").to("mock:result");
                from("direct:plain").to("phi4:generate").to("mock:result");
                from("file:" + textInbox + "?noop=true&include=.*\\.txt")
                        .to("phi4:generate")
                        .to("mock:result");
            }
        };
    }

    @Test
    void promptOptionIsASimpleExpressionAndSystemPromptLeads() throws Exception {
        getMockEndpoint("mock:result").expectedMessageCount(1);

        template.sendBody("direct:prompted", "the quarterly report");

        getMockEndpoint("mock:result").assertIsSatisfied();
        GenerationRequest sent = ENGINE.lastRequest();
        assertThat(sent.messages()).hasSize(2);
        assertThat(sent.messages().get(0).parts()).containsExactly(dev.phi4ee.core.api.ContentPart.text("Be brief."));
        assertThat(sent.messages().get(1).parts())
                .containsExactly(dev.phi4ee.core.api.ContentPart.text("Summarise: the quarterly report"));
    }

    @Test
    void mixedListBodyKeepsItsOrder(@TempDir Path dir) throws Exception {
        getMockEndpoint("mock:result").expectedMessageCount(1);
        Path scan = Files.write(dir.resolve("page.bin"), TestMedia.png(200, 300));

        template.sendBodyAndHeaders(
                "direct:media",
                List.of(scan.toFile(), TestMedia.png(100, 100), new java.io.ByteArrayInputStream(TestMedia.wav(0.5))),
                Map.of());

        getMockEndpoint("mock:result").assertIsSatisfied();
        TokenUsage usage = getMockEndpoint("mock:result")
                .getExchanges()
                .get(0)
                .getMessage()
                .getHeader(Phi4Constants.TOKEN_USAGE, TokenUsage.class);
        assertThat(usage.imageTokens()).isEqualTo(2 * EchoEngine.IMAGE_TOKENS);
        assertThat(usage.audioTokens()).isEqualTo(EchoEngine.AUDIO_TOKENS);
        var parts = ENGINE.lastRequest().messages().get(0).parts();
        assertThat(parts).hasSize(4);
        assertThat(parts.get(0)).isInstanceOf(dev.phi4ee.core.api.ContentPart.Image.class);
        assertThat(parts.get(2)).isInstanceOf(dev.phi4ee.core.api.ContentPart.Audio.class);
        assertThat(parts.get(3)).isEqualTo(dev.phi4ee.core.api.ContentPart.text("Describe."));
    }

    @Test
    void mediaTypeHeaderOverridesSniffing() throws Exception {
        getMockEndpoint("mock:result").expectedMessageCount(1);

        template.sendBodyAndHeader("direct:media", TestMedia.png(64, 64), Phi4Constants.MEDIA_TYPE, "image/png");

        getMockEndpoint("mock:result").assertIsSatisfied();
        var image = (dev.phi4ee.core.api.ContentPart.Image)
                ENGINE.lastRequest().messages().get(0).parts().get(0);
        assertThat(image.media().declaredMimeType()).isEqualTo("image/png");
    }

    @Test
    void textFileFromAFileRouteIsThePrompt() throws Exception {
        getMockEndpoint("mock:result").expectedMessageCount(1);
        Files.writeString(textInbox.resolve("note.txt"), "Résumé: the café opens at nine.\nWhen?\n");

        getMockEndpoint("mock:result").assertIsSatisfied(20_000);
        assertThat(ENGINE.lastRequest().messages().get(0).parts())
                .containsExactly(ContentPart.text("Résumé: the café opens at nine.\nWhen?\n"));
    }

    @Test
    void bytesAreTextByContentTypeCharsetOrByBeingUtf8() throws Exception {
        getMockEndpoint("mock:result").expectedMessageCount(3);

        byte[] latin1 = "Grüße".getBytes(StandardCharsets.ISO_8859_1); // not valid UTF-8
        template.sendBodyAndHeader("direct:plain", latin1, Exchange.CONTENT_TYPE, "text/plain; charset=ISO-8859-1");
        assertThat(ENGINE.lastRequest().messages().get(0).parts()).containsExactly(ContentPart.text("Grüße"));

        template.sendBody("direct:plain", "Wie spät ist es?".getBytes(StandardCharsets.UTF_8));
        assertThat(ENGINE.lastRequest().messages().get(0).parts())
                .containsExactly(ContentPart.text("Wie spät ist es?"));

        // a text list element is a text part in its place, a configured prompt still comes last
        template.sendBody(
                "direct:media", List.of("Look at this:".getBytes(StandardCharsets.UTF_8), TestMedia.png(64, 64)));
        var parts = ENGINE.lastRequest().messages().get(0).parts();
        assertThat(parts).hasSize(3);
        assertThat(parts.get(0)).isEqualTo(ContentPart.text("Look at this:"));
        assertThat(parts.get(1)).isInstanceOf(ContentPart.Image.class);
        assertThat(parts.get(2)).isEqualTo(ContentPart.text("Describe."));
        getMockEndpoint("mock:result").assertIsSatisfied();
    }

    @Test
    void binaryBytesThatAreNeitherMediaNorTextStayUnrecognised() {
        byte[] binary = {0x00, 0x01, 0x02, (byte) 0xff, 0x10, 0x7f};
        assertThatThrownBy(() -> template.requestBody("direct:plain", binary))
                .hasRootCauseInstanceOf(InvalidInputException.class)
                .rootCause()
                .hasMessageContaining("unrecognised media");
        byte[] controls = "abc\u0000def".getBytes(StandardCharsets.UTF_8); // valid UTF-8, but binary
        assertThatThrownBy(() -> template.requestBody("direct:plain", controls))
                .rootCause()
                .hasMessageContaining("unrecognised media");
        byte[] blank = {'\t', '\n', ' '};
        assertThatThrownBy(() -> template.requestBody("direct:plain", blank))
                .rootCause()
                .hasMessageContaining("unrecognised media");
    }
}
