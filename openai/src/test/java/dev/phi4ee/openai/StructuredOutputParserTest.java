package dev.phi4ee.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.phi4ee.core.api.ChatMessage;
import dev.phi4ee.core.api.ContentPart;
import dev.phi4ee.core.api.GenerationRequest;
import dev.phi4ee.core.api.ResponseFormat;
import dev.phi4ee.core.api.ToolCall;
import dev.phi4ee.core.api.ToolChoice;
import dev.phi4ee.core.api.ToolDefinition;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

/** {@code response_format}, {@code tools}, {@code tool_choice} and assistant {@code tool_calls} in requests. */
class StructuredOutputParserTest {
    private static final String USER = "'messages':[{'role':'user','content':'hi'}]";
    private static final String WEATHER = "{'type':'function','function':{'name':'get_weather','description':'Weather',"
            + "'parameters':{'type':'object','properties':{'city':{'type':'string'}},'required':['city']},"
            + "'strict':true}}";

    private final ChatRequestParser parser = new ChatRequestParser(OpenAiApiConfig.defaults());

    private GenerationRequest parse(String fields) {
        String json = "{'model':'phi-4-multimodal-instruct'," + fields + "}";
        return parser.parse(Json.parse(json.replace('\'', '"').getBytes(StandardCharsets.UTF_8)))
                .request();
    }

    private static void assertRejected(ThrowingCallable call, String param, String messagePart) {
        assertThatThrownBy(call).isInstanceOfSatisfying(ApiException.class, e -> {
            assertThat(e.status()).isEqualTo(400);
            assertThat(e.param()).isEqualTo(param);
            assertThat(e.getMessage()).contains(messagePart);
        });
    }

    private static JsonNode tree(String json) throws Exception {
        return Json.MAPPER.readTree(json);
    }

    @Test
    void responseFormatsMapToTheEngine() throws Exception {
        assertThat(parse(USER).options().responseFormat()).isEqualTo(ResponseFormat.text());
        assertThat(parse(USER + ",'response_format':{'type':'text'}").options().responseFormat())
                .isEqualTo(ResponseFormat.text());
        assertThat(parse(USER + ",'response_format':{'type':'json_object'}")
                        .options()
                        .responseFormat())
                .isEqualTo(ResponseFormat.json());

        ResponseFormat schema = parse(USER + ",'response_format':{'type':'json_schema','json_schema':{"
                        + "'name':'invoice','strict':true,'schema':{'type':'object','properties':{"
                        + "'total':{'type':'number'}},'required':['total'],'additionalProperties':false}}}")
                .options()
                .responseFormat();
        assertThat(schema.kind()).isEqualTo(ResponseFormat.Kind.JSON_SCHEMA);
        assertThat(schema.name()).isEqualTo("invoice");
        assertThat(tree(schema.schema()))
                .isEqualTo(tree("{\"type\":\"object\",\"properties\":{\"total\":{\"type\":\"number\"}},"
                        + "\"required\":[\"total\"],\"additionalProperties\":false}"));

        // OpenAI makes the schema optional: then any JSON object.
        assertThat(parse(USER + ",'response_format':{'type':'json_schema','json_schema':{'name':'any'}}")
                        .options()
                        .responseFormat())
                .isEqualTo(ResponseFormat.json());
    }

    @Test
    void badResponseFormatsNameTheField() {
        assertRejected(() -> parse(USER + ",'response_format':'json'"), "response_format", "must be an object");
        assertRejected(
                () -> parse(USER + ",'response_format':{'type':'json_schema'}"),
                "response_format.json_schema",
                "name and a schema");
        assertRejected(
                () -> parse(USER + ",'response_format':{'type':'json_schema','json_schema':{'schema':{}}}"),
                "response_format.json_schema.name",
                "required");
        assertRejected(
                () -> parse(USER + ",'response_format':{'type':'json_schema','json_schema':{'name':'x',"
                        + "'schema':[1]}}"),
                "response_format.json_schema.schema",
                "JSON Schema object");
        assertRejected(
                () -> parse(USER + ",'response_format':{'type':'json_schema','json_schema':{'name':'x',"
                        + "'strict':'yes','schema':{}}}"),
                "response_format.json_schema.strict",
                "boolean");
    }

    @Test
    void toolsAndToolChoiceMapToTheEngine() throws Exception {
        GenerationRequest r = parse(USER + ",'tools':[" + WEATHER
                + ",{'type':'function','function':{'name':'now'}}],'tool_choice':'required'");
        assertThat(r.tools()).extracting(ToolDefinition::name).containsExactly("get_weather", "now");
        ToolDefinition weather = r.tools().get(0);
        assertThat(weather.description()).isEqualTo("Weather");
        assertThat(tree(weather.parametersSchema()))
                .isEqualTo(tree("{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},"
                        + "\"required\":[\"city\"]}"));
        assertThat(r.tools().get(1).parametersSchema()).isEqualTo("{\"type\":\"object\"}");
        assertThat(r.toolChoice()).isEqualTo(ToolChoice.required());

        assertThat(parse(USER + ",'tools':[" + WEATHER + "]").toolChoice()).isEqualTo(ToolChoice.auto());
        assertThat(parse(USER + ",'tools':[" + WEATHER + "],'tool_choice':'none'")
                        .toolChoice())
                .isEqualTo(ToolChoice.none());
        assertThat(parse(USER + ",'tools':[" + WEATHER + "],'tool_choice':{'type':'function',"
                                + "'function':{'name':'get_weather'}}")
                        .toolChoice())
                .isEqualTo(ToolChoice.named("get_weather"));
        assertThat(parse(USER + ",'tools':[],'tool_choice':'auto'").tools()).isEmpty();
    }

    @Test
    void badToolsNameTheField() {
        assertRejected(() -> parse(USER + ",'tools':{}"), "tools", "must be an array");
        assertRejected(
                () -> parse(USER + ",'tools':[{'type':'custom','custom':{'name':'x'}}]"),
                "tools[0].type",
                "only function tools");
        assertRejected(
                () -> parse(USER + ",'tools':[{'type':'function','function':{'name':'bad name'}}]"),
                "tools[0].function.name",
                "bad name");
        assertRejected(
                () -> parse(USER + ",'tools':[{'type':'function','function':{'name':'f','parameters':'x'}}]"),
                "tools[0].function.parameters",
                "JSON Schema object");
        assertRejected(() -> parse(USER + ",'tools':[" + WEATHER + "," + WEATHER + "]"), "tools", "defined twice");
        assertRejected(
                () -> parse(USER + ",'tools':[" + WEATHER + "],'tool_choice':{'type':'function',"
                        + "'function':{'name':'other'}}"),
                "tool_choice",
                "not among the tools");
        assertRejected(() -> parse(USER + ",'tool_choice':'required'"), "tool_choice", "at least one tool");
        assertRejected(
                () -> parse(USER + ",'tools':[" + WEATHER + "],'tool_choice':'always'"),
                "tool_choice",
                "none, auto, required");
        assertRejected(
                () -> parse(USER + ",'tools':[" + WEATHER + "],'tool_choice':'required',"
                        + "'response_format':{'type':'json_object'}"),
                "tool_choice",
                "exclude each other");
    }

    @Test
    void assistantToolCallsAndToolResultsBecomeTheirTurns() {
        GenerationRequest r = parse("'messages':[{'role':'user','content':'Weather in Oslo and Rome?'},"
                + "{'role':'assistant','content':null,'tool_calls':[{'id':'call_0','type':'function',"
                + "'function':{'name':'get_weather','arguments':'{\\'city\\': \\'Oslo\\'}'}},"
                + "{'id':'call_1','type':'function','function':{'name':'get_weather','arguments':'{}'}}]},"
                + "{'role':'tool','tool_call_id':'call_1','content':[{'type':'text','text':'25 '},"
                + "{'type':'text','text':'C'}]},{'role':'tool','tool_call_id':'call_0','content':'21 C'},"
                + "{'role':'user','content':'And now?'}],'tools':[" + WEATHER + "]");
        ChatMessage assistant = r.messages().get(1);
        assertThat(assistant.role()).isEqualTo(ChatMessage.Role.ASSISTANT);
        assertThat(((ContentPart.Text) assistant.parts().get(0)).text()).isEmpty();
        assertThat(assistant.toolCalls())
                .containsExactly(
                        new ToolCall("call_0", "get_weather", "{\"city\": \"Oslo\"}"),
                        new ToolCall("call_1", "get_weather", "{}"));
        assertThat(r.messages().get(2))
                .isEqualTo(ChatMessage.toolResult("call_1", "get_weather", "25 C"))
                .extracting(ChatMessage::role)
                .isEqualTo(ChatMessage.Role.TOOL);
        assertThat(r.messages().get(3)).isEqualTo(ChatMessage.toolResult("call_0", "get_weather", "21 C"));

        GenerationRequest withText = parse("'messages':[{'role':'user','content':'x'},{'role':'assistant',"
                + "'content':'Let me look.','tool_calls':[{'id':'a','type':'function','function':{'name':'now',"
                + "'arguments':'{}'}}]}]");
        assertThat(withText.messages().get(1))
                .isEqualTo(ChatMessage.assistant("Let me look.", List.of(new ToolCall("a", "now", "{}"))));
    }

    @Test
    void badToolCallHistoryNamesTheField() {
        assertRejected(
                () -> parse("'messages':[{'role':'assistant','tool_calls':[{'id':'a','type':'function',"
                        + "'function':{'name':'f','arguments':'{oops'}}]}]"),
                "messages[0].tool_calls[0].function.arguments",
                "not valid JSON");
        assertRejected(
                () -> parse("'messages':[{'role':'assistant','tool_calls':[{'id':'a','type':'function',"
                        + "'function':{'name':'f','arguments':'[1]'}}]}]"),
                "messages[0].tool_calls[0].function.arguments",
                "JSON object");
        assertRejected(
                () -> parse("'messages':[{'role':'user','content':'x','tool_calls':[]}]"),
                "messages[0].tool_calls",
                "only assistant");
        assertRejected(
                () -> parse("'messages':[{'role':'tool','tool_call_id':'a','content':'12 C'}]"),
                "messages[0].tool_call_id",
                "no earlier tool_calls entry has the id 'a'");
        assertRejected(
                () -> parse("'messages':[{'role':'assistant','tool_calls':[{'id':'a','type':'function',"
                        + "'function':{'name':'f','arguments':'{}'}}]},{'role':'tool','tool_call_id':'b',"
                        + "'content':'x'}]"),
                "messages[1].tool_call_id",
                "no earlier tool_calls entry has the id 'b'");
        assertRejected(
                () -> parse("'messages':[{'role':'assistant','tool_calls':[{'id':'a','type':'function',"
                        + "'function':{'name':'f','arguments':'{}'}}]},{'role':'tool','tool_call_id':'a',"
                        + "'content':[{'type':'image_url','image_url':{'url':'data:image/png;base64,AAAA'}}]}]"),
                "messages[1].content[0].type",
                "only user messages");
        assertRejected(
                () -> parse("'messages':[{'role':'assistant','tool_calls':[{'type':'function',"
                        + "'function':{'name':'f','arguments':'{}'}}]}]"),
                "messages[0].tool_calls[0].id",
                "required");
    }
}
