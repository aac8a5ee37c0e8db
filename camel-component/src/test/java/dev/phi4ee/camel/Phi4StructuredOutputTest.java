package dev.phi4ee.camel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.phi4ee.core.api.FinishReason;
import dev.phi4ee.core.api.GenerationRequest;
import dev.phi4ee.core.api.InvalidInputException;
import dev.phi4ee.core.api.ResponseFormat;
import dev.phi4ee.core.api.ToolCall;
import dev.phi4ee.core.api.ToolChoice;
import dev.phi4ee.core.api.ToolDefinition;
import java.util.List;
import java.util.Map;
import org.apache.camel.CamelExecutionException;
import org.apache.camel.Exchange;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.spi.Registry;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.apache.camel.util.ObjectHelper;
import org.junit.jupiter.api.Test;

/** jsonSchema, jsonMode, outputClass, tools and toolChoice on routes, against a scripted engine. */
class Phi4StructuredOutputTest extends CamelTestSupport {
    static final String SCHEMA = "{\"type\":\"object\",\"properties\":{\"number\":{\"type\":\"string\"},"
            + "\"total\":{\"type\":\"number\"}},\"required\":[\"number\",\"total\"]}";
    static final String TOOLS = "[{\"name\":\"lookup_customer\",\"description\":\"Finds a customer\","
            + "\"parameters\":{\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"integer\"}}}}]";
    private static final ObjectMapper JSON = new ObjectMapper();

    public record Invoice(String number, double total) {}

    private final ScriptedAnswersEngine engine = new ScriptedAnswersEngine();

    @Override
    protected void bindToRegistry(Registry registry) {
        registry.bind("phi4Engine", engine);
        registry.bind("invoiceSchema", SCHEMA);
    }

    @Override
    protected RoutesBuilder createRouteBuilder() {
        String invoice = Invoice.class.getName();
        return new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:inline").to("phi4:generate?jsonSchema=RAW(" + SCHEMA + ")&outputClass=" + invoice);
                from("direct:resource")
                        .to("phi4:generate?jsonSchema=resource:classpath:invoice.schema.json&outputClass=" + invoice);
                from("direct:json").to("phi4:generate?jsonMode=true");
                from("direct:class").to("phi4:generate?outputClass=" + invoice);
                from("direct:text").to("phi4:generate");
                from("direct:tools").to("phi4:generate?tools=RAW(" + TOOLS + ")&toolChoice=lookup_customer");
            }
        };
    }

    private static JsonAssert json(String text) throws Exception {
        return new JsonAssert(JSON.readTree(text));
    }

    record JsonAssert(com.fasterxml.jackson.databind.JsonNode node) {
        void isSameAs(String other) throws Exception {
            assertThat(node).isEqualTo(JSON.readTree(other));
        }
    }

    @Test
    void anInlineSchemaConstrainsAndTheBodyBecomesTheOutputClass() throws Exception {
        engine.answer("{\"number\":\"A-7\",\"total\":12.5}");

        Object body = template.requestBody("direct:inline", "Invoice A-7 over 12.50");

        assertThat(body).isEqualTo(new Invoice("A-7", 12.5));
        ResponseFormat format = engine.last().options().responseFormat();
        assertThat(format.kind()).isEqualTo(ResponseFormat.Kind.JSON_SCHEMA);
        json(format.schema()).isSameAs(SCHEMA);
    }

    @Test
    void anOutputClassAloneConstrainsToItsOwnSchema() throws Exception {
        engine.answer("{\"number\":\"C-3\",\"total\":1.5}").answer("{\"number\":\"D\",\"total\":2}");

        assertThat(template.requestBody("direct:class", "Invoice C-3")).isEqualTo(new Invoice("C-3", 1.5));
        json(engine.last().options().responseFormat().schema())
                .isSameAs("{\"type\":\"object\",\"properties\":{\"number\":{\"type\":\"string\"},"
                        + "\"total\":{\"type\":\"number\"}},\"required\":[\"number\",\"total\"],"
                        + "\"additionalProperties\":false}");

        // Per exchange, the header's class does the same on an endpoint without a schema.
        Object body = template.requestBodyAndHeader(
                "direct:text", "Invoice D", Phi4Constants.OUTPUT_CLASS, Invoice.class.getName());
        assertThat(body).isEqualTo(new Invoice("D", 2));
        assertThat(engine.last().options().responseFormat().schema()).contains("\"required\"");
    }

    @Test
    void aSchemaResourceIsLoaded() throws Exception {
        engine.answer("{\"number\":\"B-1\",\"total\":3}");

        Object body = template.requestBody("direct:resource", "Invoice B-1 over 3");

        assertThat(body).isEqualTo(new Invoice("B-1", 3));
        json(engine.last().options().responseFormat().schema())
                .isSameAs(new String(
                        getClass().getResourceAsStream("/invoice.schema.json").readAllBytes(),
                        java.nio.charset.StandardCharsets.UTF_8));
    }

    @Test
    void theSchemaHeaderOverridesTheOptionPerExchange() throws Exception {
        engine.answer("{\"n\":1}").answer("[1]");
        String other = "{\"type\":\"object\",\"properties\":{\"n\":{\"type\":\"integer\"}}}";

        Object text = template.requestBodyAndHeader("direct:text", "Count.", Phi4Constants.JSON_SCHEMA, other);
        assertThat(text).isEqualTo("{\"n\":1}");
        json(engine.last().options().responseFormat().schema()).isSameAs(other);

        template.requestBodyAndHeader(
                "direct:text", "Count.", Phi4Constants.JSON_SCHEMA, "resource:classpath:invoice.schema.json");
        assertThat(engine.last().options().responseFormat().schema()).contains("maxLength");
    }

    @Test
    void jsonModeAsksForAnyObjectAndTextStaysFree() {
        engine.answer("{}").answer("hello");
        template.requestBody("direct:json", "Anything.");
        assertThat(engine.last().options().responseFormat()).isEqualTo(ResponseFormat.json());
        template.requestBody("direct:text", "Anything.");
        assertThat(engine.last().options().responseFormat()).isEqualTo(ResponseFormat.text());
    }

    @Test
    void toolsGoToTheEngineAndCallsBecomeTheBody() throws Exception {
        List<ToolCall> calls = List.of(new ToolCall("call_0", "lookup_customer", "{\"id\":42}"));
        engine.answer(
                "<|tool_call|>[{\"name\":\"lookup_customer\",\"arguments\":{\"id\":42}}]<|/tool_call|>",
                FinishReason.TOOL_CALLS,
                calls);

        Exchange out = template.request("direct:tools", e -> e.getMessage().setBody("Who is customer 42?"));

        GenerationRequest sent = engine.last();
        assertThat(sent.tools()).extracting(ToolDefinition::name).containsExactly("lookup_customer");
        assertThat(sent.tools().get(0).description()).isEqualTo("Finds a customer");
        json(sent.tools().get(0).parametersSchema())
                .isSameAs("{\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"integer\"}}}");
        assertThat(sent.toolChoice()).isEqualTo(ToolChoice.named("lookup_customer"));
        assertThat(out.getMessage().getBody()).isEqualTo(calls);
        assertThat(out.getMessage().getHeader(Phi4Constants.TOOL_CALLS)).isEqualTo(calls);
        assertThat(out.getMessage().getHeader(Phi4Constants.FINISH_REASON)).isEqualTo(FinishReason.TOOL_CALLS);
    }

    @Test
    void toolsAndChoiceFromHeaders() {
        engine.answer("no call");
        template.requestBodyAndHeaders(
                "direct:text",
                "Hi",
                Map.of(
                        Phi4Constants.TOOLS,
                        List.of(ToolDefinition.of("now", "The time", null)),
                        Phi4Constants.TOOL_CHOICE,
                        "none"));
        assertThat(engine.last().tools()).extracting(ToolDefinition::name).containsExactly("now");
        assertThat(engine.last().toolChoice()).isEqualTo(ToolChoice.none());
    }

    @Test
    void anAnswerCutShortFailsTheExchangeNamingTheCause() {
        engine.answer("{\"number\":\"A-", FinishReason.LENGTH, List.of());
        assertThatThrownBy(() -> template.requestBody("direct:inline", "Invoice"))
                .isInstanceOf(CamelExecutionException.class)
                .cause()
                .isInstanceOf(Phi4ExchangeException.class)
                .hasMessageContaining(Invoice.class.getName())
                .hasMessageContaining("LENGTH")
                .hasCauseInstanceOf(InvalidInputException.class);
    }

    @Test
    void badStructuredOptionsFailTheEndpointStart() {
        for (String uri : List.of(
                "phi4:generate?jsonSchema=RAW({oops)",
                "phi4:generate?jsonSchema=resource:classpath:missing.json",
                "phi4:generate?jsonSchema=just words",
                "phi4:generate?outputClass=no.such.Type",
                "phi4:generate?tools=RAW({\"name\":\"x\"})",
                "phi4:generate?toolChoice=not a name")) {
            assertThatThrownBy(() -> context.getEndpoint(uri).createProducer().start())
                    .as(uri)
                    .satisfies(e -> assertThat(ObjectHelper.getException(InvalidInputException.class, e))
                            .as("%s: an InvalidInputException in %s", uri, e)
                            .isNotNull());
        }
    }
}
