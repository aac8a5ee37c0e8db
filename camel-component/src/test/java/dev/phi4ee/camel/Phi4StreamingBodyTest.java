package dev.phi4ee.camel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.phi4ee.core.api.FinishReason;
import dev.phi4ee.core.api.InferenceException;
import dev.phi4ee.core.api.Phi4Exception;
import java.io.Closeable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.camel.Exchange;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.spi.Registry;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code streaming=true} without a streamingEndpoint: the body is an iterator of chunks, as camel-openai's is. */
class Phi4StreamingBodyTest extends CamelTestSupport {

    private final ScriptedEngine slow = new ScriptedEngine(2_000, null);
    private final ScriptedEngine failing = new ScriptedEngine(3, new InferenceException("decoder failed", null));

    @Override
    protected void bindToRegistry(Registry registry) {
        registry.bind("kit", TestEngines.shared());
        registry.bind("slow", slow);
        registry.bind("failing", failing);
    }

    @Override
    protected RoutesBuilder createRouteBuilder() {
        return new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:whole").to("phi4:generate?engine=#kit&maxOutputLength=24");
                from("direct:split")
                        .to("phi4:generate?engine=#kit&streaming=true&maxOutputLength=24")
                        .split(body())
                        .streaming()
                        .to("mock:chunks")
                        .end()
                        .to("mock:done");
                from("direct:firstOnly")
                        .to("phi4:generate?engine=#slow&streaming=true")
                        .process(e -> {
                            Iterator<?> chunks = e.getMessage().getBody(Iterator.class);
                            e.getMessage().setHeader("first", chunks.next());
                            ((Closeable) chunks).close();
                        });
                from("direct:abandoned").to("phi4:generate?engine=#slow&streaming=true");
                from("direct:failing")
                        .to("phi4:generate?engine=#failing&streaming=true")
                        .split(body())
                        .streaming()
                        .to("mock:partial");
            }
        };
    }

    @Test
    void splitChunksJoinToTheNonStreamedGreedyTextAndTheResultHeadersFollowTheSplit() throws Exception {
        Exchange whole = template.request("direct:whole", e -> e.getMessage().setBody("Describe the sea."));
        MockEndpoint done = getMockEndpoint("mock:done");
        done.expectedMessageCount(1);

        Exchange out = template.send("direct:split", e -> e.getMessage().setBody("Describe the sea."));

        assertThat(out.getException()).isNull();
        done.assertIsSatisfied();
        List<Exchange> chunks = getMockEndpoint("mock:chunks").getExchanges();
        StringBuilder joined = new StringBuilder();
        for (Exchange chunk : chunks) {
            joined.append(chunk.getMessage().getBody(String.class));
        }
        String expected = whole.getMessage().getBody(String.class);
        assertThat(expected).isNotEmpty();
        assertThat(joined.toString()).isEqualTo(expected);
        assertThat(chunks).as("streamed in several chunks").hasSizeGreaterThan(1);

        var headers = done.getExchanges().get(0).getMessage();
        assertThat(headers.getHeader(Phi4Constants.FINISH_REASON))
                .isEqualTo(whole.getMessage().getHeader(Phi4Constants.FINISH_REASON));
        assertThat(headers.getHeader(Phi4Constants.GENERATED_TOKENS))
                .isEqualTo(whole.getMessage().getHeader(Phi4Constants.GENERATED_TOKENS));
        assertThat(headers.getHeader(Phi4Constants.CHUNK_COUNT)).isEqualTo(chunks.size());
        assertThat(headers.getHeader(Phi4Constants.ORIGINAL_BODY)).isEqualTo("Describe the sea.");
    }

    @Test
    void closingTheIteratorEarlyCancelsTheGeneration() throws Exception {
        Exchange out = template.send("direct:firstOnly", e -> e.getMessage().setBody("go"));

        assertThat(out.getException()).isNull();
        assertThat(out.getMessage().getHeader("first")).isEqualTo("c0 ");
        ScriptedEngine.Handle handle = slow.last();
        assertThat(handle.result().get(10, TimeUnit.SECONDS).finishReason()).isEqualTo(FinishReason.CANCELLED);
        assertThat(handle.emitted()).isLessThan(2_000);
    }

    @Test
    void anIteratorTheRouteNeverReadsIsCancelledWhenTheExchangeCompletes() throws Exception {
        Exchange out = template.send("direct:abandoned", e -> e.getMessage().setBody("go"));

        assertThat(out.getException()).isNull();
        assertThat(out.getMessage().getBody()).isInstanceOf(Iterator.class).isInstanceOf(Closeable.class);
        assertThat(slow.last().result().get(10, TimeUnit.SECONDS).finishReason())
                .isEqualTo(FinishReason.CANCELLED);
    }

    @Test
    void aFailureMidStreamFailsTheExchangeInsteadOfEndingTheText() {
        Exchange out = template.send("direct:failing", e -> e.getMessage().setBody("go"));

        assertThat(out.getException())
                .as("the split must fail, not end quietly")
                .isNotNull();
        List<Throwable> chain = new ArrayList<>();
        for (Throwable t = out.getException(); t != null; t = t.getCause()) {
            chain.add(t);
        }
        assertThat(chain).anySatisfy(t -> assertThat(t)
                .isExactlyInstanceOf(Phi4Exception.class)
                .hasMessageContaining("the streamed text is incomplete")
                .hasMessageContaining("decoder failed"));
        assertThat(chain.getLast()).isInstanceOf(InferenceException.class);
    }

    @AfterEach
    void closeEngines() {
        slow.close();
        failing.close();
    }
}
