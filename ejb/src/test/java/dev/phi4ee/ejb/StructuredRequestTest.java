package dev.phi4ee.ejb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.phi4ee.core.api.FinishReason;
import dev.phi4ee.core.api.GenerationRequest;
import dev.phi4ee.core.api.GenerationResult;
import dev.phi4ee.core.api.InvalidInputException;
import dev.phi4ee.core.api.ResponseFormat;
import dev.phi4ee.core.api.TokenUsage;
import dev.phi4ee.core.api.ToolCall;
import dev.phi4ee.core.api.ToolChoice;
import jakarta.validation.Validation;
import jakarta.validation.ValidatorFactory;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The response format, tools and tool calls of JMS JSON requests and replies, and their mapping to the engine. */
class StructuredRequestTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SCHEMA =
            "{\"type\":\"object\",\"properties\":{\"total\":{\"type\":\"number\"}},\"required\":[\"total\"]}";

    private final JsonCodec codec = new JsonCodec();

    @Test
    void aJsonRequestCarriesItsSchemaAsNestedJson() throws Exception {
        Phi4Request r = codec.readRequest("{\"prompt\":\"Extract the total.\",\"responseFormat\":{"
                + "\"type\":\"json_schema\",\"name\":\"invoice\",\"schema\":" + SCHEMA + "}}");

        assertThat(JSON.readTree(r.getResponseFormat().getSchema())).isEqualTo(JSON.readTree(SCHEMA));
        ResponseFormat format = GenerationRequests.of(r).options().responseFormat();
        assertThat(format.kind()).isEqualTo(ResponseFormat.Kind.JSON_SCHEMA);
        assertThat(format.name()).isEqualTo("invoice");
        assertThat(JSON.readTree(format.schema())).isEqualTo(JSON.readTree(SCHEMA));

        // Written back, the schema is nested JSON again (not an escaped string), and reads back the same.
        String written = codec.write(r);
        assertThat(JSON.readTree(written).at("/responseFormat/schema")).isEqualTo(JSON.readTree(SCHEMA));
        assertThat(JSON.readTree(codec.readRequest(written).getResponseFormat().getSchema()))
                .isEqualTo(JSON.readTree(SCHEMA));

        // A schema given as a JSON string is accepted too.
        Phi4Request asString = codec.readRequest("{\"prompt\":\"x\",\"responseFormat\":{\"type\":\"json_schema\","
                + "\"schema\":" + JSON.writeValueAsString(SCHEMA) + "}}");
        assertThat(asString.getResponseFormat().getSchema()).isEqualTo(SCHEMA);
    }

    @Test
    void jsonObjectAndTextFormats() {
        Phi4Request r = codec.readRequest("{\"prompt\":\"x\",\"responseFormat\":{\"type\":\"json_object\"}}");
        assertThat(GenerationRequests.of(r).options().responseFormat()).isEqualTo(ResponseFormat.json());
        assertThat(GenerationRequests.of(Phi4Request.ofPrompt("x")).options().responseFormat())
                .isEqualTo(ResponseFormat.text());
    }

    @Test
    void toolsAndToolChoiceMapToTheEngine() throws Exception {
        Phi4Request r = codec.readRequest("{\"prompt\":\"Who is customer 42?\",\"toolChoice\":\"lookup\",\"tools\":["
                + "{\"name\":\"lookup\",\"description\":\"Finds a customer\",\"parameters\":{\"type\":\"object\","
                + "\"properties\":{\"id\":{\"type\":\"integer\"}}}},{\"name\":\"now\"}]}");

        GenerationRequest request = GenerationRequests.of(r);

        assertThat(request.tools()).hasSize(2);
        assertThat(request.tools().get(0).description()).isEqualTo("Finds a customer");
        assertThat(JSON.readTree(request.tools().get(0).parametersSchema()))
                .isEqualTo(JSON.readTree("{\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"integer\"}}}"));
        assertThat(request.tools().get(1).parametersSchema()).isEqualTo("{\"type\":\"object\"}");
        assertThat(request.toolChoice()).isEqualTo(ToolChoice.named("lookup"));
        for (String choice : List.of("auto", "none", "required")) {
            r.setToolChoice(choice);
            assertThat(GenerationRequests.of(r).toolChoice().mode().name()).isEqualToIgnoringCase(choice);
        }
    }

    @Test
    void badStructuredFieldsAreInvalidInput() {
        Phi4Request noSchema = codec.readRequest("{\"prompt\":\"x\",\"responseFormat\":{\"type\":\"json_schema\"}}");
        assertThatThrownBy(() -> GenerationRequests.of(noSchema))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("responseFormat.schema");
        Phi4Request unknownTool =
                codec.readRequest("{\"prompt\":\"x\",\"toolChoice\":\"ghost\",\"tools\":[{\"name\":\"a\"}]}");
        assertThatThrownBy(() -> GenerationRequests.of(unknownTool))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("ghost");
        try (ValidatorFactory factory = Validation.buildDefaultValidatorFactory()) {
            Phi4Request badType = codec.readRequest("{\"prompt\":\"x\",\"responseFormat\":{\"type\":\"xml\"}}");
            assertThat(factory.getValidator().validate(badType))
                    .extracting(v -> v.getMessage())
                    .containsExactly("responseFormat.type must be text, json_object or json_schema");
        }
    }

    @Test
    void replyCarriesTheToolCalls() throws Exception {
        GenerationResult result = new GenerationResult(
                "<|tool_call|>[{\"name\":\"lookup\",\"arguments\":{\"id\":42}}]<|/tool_call|>",
                FinishReason.TOOL_CALLS,
                new TokenUsage(9, 0, 0, 12),
                null,
                List.of(),
                List.of(new ToolCall("call_0", "lookup", "{\"id\":42}")));

        String json = codec.write(Phi4Response.of(result));

        var tree = JSON.readTree(json);
        assertThat(tree.get("finishReason").asText()).isEqualTo("TOOL_CALLS");
        assertThat(tree.at("/toolCalls/0/id").asText()).isEqualTo("call_0");
        assertThat(tree.at("/toolCalls/0/name").asText()).isEqualTo("lookup");
        assertThat(tree.at("/toolCalls/0/arguments").asText()).isEqualTo("{\"id\":42}");
        Phi4Response back = codec.read(json, Phi4Response.class);
        assertThat(back.getToolCalls()).singleElement().satisfies(c -> assertThat(c.getArguments())
                .isEqualTo("{\"id\":42}"));
    }
}
