package dev.phi4ee.camel;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.phi4ee.core.api.FinishReason;
import dev.phi4ee.core.api.ToolCall;
import java.util.List;
import org.apache.camel.Exchange;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.spi.Registry;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.junit.jupiter.api.Test;

/**
 * jsonSchema + outputClass and a required tool call on the real engine with the test kit's RANDOM weights: the body
 * parses into the class, and the call's arguments fit the tool's schema, only because decoding is constrained.
 */
class Phi4StructuredOutputEngineTest extends CamelTestSupport {
    private static final ObjectMapper JSON = new ObjectMapper();

    public record Invoice(String number, double total) {}

    public enum Mood {
        CALM,
        ANGRY
    }

    /** Bounded by its types alone (the generated schema bounds no string or number). */
    public record Verdict(Mood mood, boolean urgent) {}

    @Override
    protected void bindToRegistry(Registry registry) {
        registry.bind("phi4Engine", TestEngines.shared());
    }

    @Override
    protected RoutesBuilder createRouteBuilder() {
        return new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:extract")
                        .to("phi4:generate?jsonSchema=resource:classpath:invoice.schema.json&outputClass="
                                + Invoice.class.getName() + "&maxOutputLength=300");
                from("direct:sampled")
                        .to("phi4:generate?jsonSchema=resource:classpath:invoice.schema.json&outputClass="
                                + Invoice.class.getName() + "&maxOutputLength=300&temperature=1.0");
                from("direct:class")
                        .to("phi4:generate?outputClass=" + Verdict.class.getName() + "&maxOutputLength=100");
                from("direct:call")
                        .to("phi4:generate?tools=RAW(" + Phi4StructuredOutputTest.TOOLS
                                + ")&toolChoice=required&maxOutputLength=300");
            }
        };
    }

    @Test
    void theBodyIsAnInvoiceValidForTheSchema() {
        for (String prompt : List.of("Invoice A-7 over 12.50", "Extract: total 3, number X", "?")) {
            Exchange out =
                    template.request("direct:extract", e -> e.getMessage().setBody(prompt));
            assertThat(out.getException()).as(prompt).isNull();
            assertThat(out.getMessage().getHeader(Phi4Constants.FINISH_REASON)).isEqualTo(FinishReason.STOP);
            Invoice invoice = out.getMessage().getBody(Invoice.class);
            assertThat(invoice.number()).as(prompt).hasSizeLessThanOrEqualTo(12);
            assertThat(invoice.total()).as(prompt).isGreaterThanOrEqualTo(0);
        }
        for (long seed = 1; seed <= 4; seed++) {
            long s = seed;
            Exchange out = template.request("direct:sampled", e -> {
                e.getMessage().setBody("Invoice " + s);
                e.getMessage().setHeader(Phi4Constants.SEED, s);
            });
            assertThat(out.getException()).as("seed %d", seed).isNull();
            assertThat(out.getMessage().getBody()).isInstanceOf(Invoice.class);
        }
    }

    @Test
    void anOutputClassAloneGetsItsSchemaFromTheClass() {
        for (String prompt : List.of("The caller shouts.", "Thanks, all fine.")) {
            Exchange out = template.request("direct:class", e -> e.getMessage().setBody(prompt));
            assertThat(out.getException()).as(prompt).isNull();
            Verdict verdict = out.getMessage().getBody(Verdict.class);
            assertThat(verdict.mood()).as(prompt).isNotNull();
        }
    }

    @Test
    void aRequiredCallIsTheBodyWithArgumentsForTheTool() throws Exception {
        Exchange out = template.request("direct:call", e -> e.getMessage().setBody("Who is customer 42?"));
        assertThat(out.getException()).isNull();
        assertThat(out.getMessage().getHeader(Phi4Constants.FINISH_REASON)).isEqualTo(FinishReason.TOOL_CALLS);
        @SuppressWarnings("unchecked")
        List<ToolCall> calls = out.getMessage().getBody(List.class);
        assertThat(calls).isNotEmpty();
        for (ToolCall call : calls) {
            assertThat(call.name()).isEqualTo("lookup_customer");
            JsonNode arguments = JSON.readTree(call.arguments());
            assertThat(arguments.isObject()).isTrue();
            if (arguments.has("id")) {
                assertThat(arguments.get("id").isIntegralNumber())
                        .as(call.arguments())
                        .isTrue();
            }
        }
    }
}
