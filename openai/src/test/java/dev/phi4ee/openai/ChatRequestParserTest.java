package dev.phi4ee.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.phi4ee.core.api.ChatMessage;
import dev.phi4ee.core.api.ContentPart;
import dev.phi4ee.core.api.GenerationOptions;
import dev.phi4ee.core.api.Media;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

class ChatRequestParserTest {
    private final ChatRequestParser parser = new ChatRequestParser(OpenAiApiConfig.defaults());

    private ChatCall parse(String json) {
        return parser.parse(Json.parse(json.replace('\'', '"').getBytes(StandardCharsets.UTF_8)));
    }

    private static String withModel(String fields) {
        return "{'model':'phi-4-multimodal-instruct'," + fields + "}";
    }

    private static void assertRejected(ThrowingCallable call, int status, String param, String messagePart) {
        assertThatThrownBy(call).isInstanceOfSatisfying(ApiException.class, e -> {
            assertThat(e.status()).isEqualTo(status);
            assertThat(e.param()).isEqualTo(param);
            assertThat(e.getMessage()).contains(messagePart);
        });
    }

    @Test
    void mapsRolesStringContentAndOptions() {
        ChatCall call = parse(withModel("'messages':[{'role':'developer','content':'be brief'},"
                + "{'role':'user','content':'hi'},{'role':'assistant','content':'hello'},{'role':'user','content':'more'}],"
                + "'max_tokens':7,'temperature':0,'top_p':0.5,'seed':42,'stop':['x','yz']"));
        List<ChatMessage> messages = call.request().messages();
        assertThat(messages)
                .extracting(ChatMessage::role)
                .containsExactly(
                        ChatMessage.Role.SYSTEM,
                        ChatMessage.Role.USER,
                        ChatMessage.Role.ASSISTANT,
                        ChatMessage.Role.USER);
        assertThat(messages.get(0).parts()).containsExactly(ContentPart.text("be brief"));
        GenerationOptions o = call.request().options();
        assertThat(o.maxNewTokens()).isEqualTo(7);
        assertThat(o.greedy()).isTrue();
        assertThat(o.topP()).isEqualTo(0.5);
        assertThat(o.seed()).isEqualTo(42L);
        assertThat(o.stopSequences()).containsExactly("x", "yz");
        assertThat(call.stream()).isFalse();
        assertThat(call.maxTokensGiven()).isTrue();
    }

    @Test
    void defaultsFollowTheProtocol() {
        ChatCall call = parse(withModel("'messages':[{'role':'user','content':'hi'}],'stop':'END'"));
        GenerationOptions o = call.request().options();
        assertThat(o.doSample()).isTrue();
        assertThat(o.temperature()).isEqualTo(1.0);
        assertThat(o.stopSequences()).containsExactly("END");
        assertThat(o.maxNewTokens()).isEqualTo(OpenAiApiConfig.defaults().defaultMaxTokens());
        assertThat(call.maxTokensGiven()).isFalse();
    }

    @Test
    void maxCompletionTokensWinsOverMaxTokens() {
        ChatCall call = parse(
                withModel("'messages':[{'role':'user','content':'hi'}],'max_tokens':9," + "'max_completion_tokens':3"));
        assertThat(call.request().options().maxNewTokens()).isEqualTo(3);
    }

    @Test
    void streamWithUsage() {
        ChatCall call = parse(withModel(
                "'messages':[{'role':'user','content':'hi'}],'stream':true,'stream_options':{'include_usage':true}"));
        assertThat(call.stream()).isTrue();
        assertThat(call.includeUsage()).isTrue();
        assertRejected(
                () -> parse(withModel(
                        "'messages':[{'role':'user','content':'hi'}],'stream_options':{'include_usage':true}")),
                400,
                "stream_options",
                "only allowed when stream is true");
    }

    @Test
    void decodesMediaParts() {
        byte[] png = {(byte) 0x89, 'P', 'N', 'G', 1, 2, 3};
        byte[] wav = "RIFF....WAVE".getBytes(StandardCharsets.US_ASCII);
        byte[] pdf = "%PDF-1.7".getBytes(StandardCharsets.US_ASCII);
        String b64 = Base64.getEncoder().encodeToString(png);
        ChatCall call = parse(withModel("'messages':[{'role':'user','content':["
                + "{'type':'text','text':'look'},"
                + "{'type':'image_url','image_url':{'url':'data:image/png;base64," + b64 + "','detail':'auto'}},"
                + "{'type':'input_audio','input_audio':{'data':'"
                + Base64.getEncoder().encodeToString(wav) + "','format':'wav'}},"
                + "{'type':'file','file':{'filename':'a.pdf','file_data':'data:application/pdf;base64,"
                + Base64.getEncoder().encodeToString(pdf) + "'}}]}]"));
        List<ContentPart> parts = call.request().messages().get(0).parts();
        assertThat(parts).hasSize(4);
        Media image = ((ContentPart.Image) parts.get(1)).media();
        assertThat(image.data()).isEqualTo(png);
        assertThat(image.declaredMimeType()).isEqualTo("image/png");
        Media audio = ((ContentPart.Audio) parts.get(2)).media();
        assertThat(audio.data()).isEqualTo(wav);
        assertThat(audio.declaredMimeType()).isEqualTo("audio/wav");
        Media file = ((ContentPart.Image) parts.get(3)).media();
        assertThat(file.data()).isEqualTo(pdf);
        assertThat(file.name()).isEqualTo("a.pdf");
    }

    @Test
    void refusesRemoteImagesWithoutAnAllowList() {
        assertRejected(
                () -> parse(withModel("'messages':[{'role':'user','content':[{'type':'image_url',"
                        + "'image_url':{'url':'http://169.254.169.254/latest/meta-data'}}]}]")),
                400,
                "messages[0].content[0].image_url.url",
                "remote image URLs are disabled");
    }

    @Test
    void refusesRemoteImagesOutsideTheAllowList() {
        ChatRequestParser allowList = new ChatRequestParser(
                OpenAiApiConfig.defaults().withRemoteMediaPrefixes(List.of("https://media.example.com/")));
        for (String url : List.of(
                "https://media.example.com.evil.test/x.png",
                "https://media.example.com@evil.test/x.png",
                "https://media.example.com/../x.png".replace("media.example.com/..", "evil.test"))) {
            assertRejected(
                    () -> allowList.parse(
                            Json.parse(withModel("'messages':[{'role':'user','content':[{'type':'image_url',"
                                            + "'image_url':{'url':'" + url + "'}}]}]")
                                    .replace('\'', '"')
                                    .getBytes(StandardCharsets.UTF_8))),
                    400,
                    "messages[0].content[0].image_url.url",
                    "not under an allowed remote media prefix");
        }
    }

    @Test
    void rejectsUnsupportedAndUnknownParameters() {
        String msg = "'messages':[{'role':'user','content':'hi'}]";
        assertRejected(() -> parse(withModel(msg + ",'n':2")), 400, "n", "only n = 1");
        assertRejected(() -> parse(withModel(msg + ",'functions':[]")), 400, "functions", "use tools");
        assertRejected(() -> parse(withModel(msg + ",'logprobs':true")), 400, "logprobs", "not supported");
        assertRejected(
                () -> parse(withModel(msg + ",'response_format':{'type':'xml'}")),
                400,
                "response_format.type",
                "json_object or json_schema");
        assertRejected(() -> parse(withModel(msg + ",'frequency_penalty':0.5")), 400, "frequency_penalty", "only 0");
        assertRejected(() -> parse(withModel(msg + ",'best_of':3")), 400, "best_of", "Unrecognized");
        // neutral values and ignored fields pass
        assertThat(parse(withModel(msg + ",'n':1,'logprobs':false,'presence_penalty':0,'user':'u1'")))
                .isNotNull();
    }

    @Test
    void rejectsBadValuesNamingTheField() {
        String msg = "'messages':[{'role':'user','content':'hi'}]";
        assertRejected(() -> parse(withModel(msg + ",'temperature':3")), 400, "temperature", "between 0 and 2");
        assertRejected(() -> parse(withModel(msg + ",'top_p':0")), 400, "top_p", "greater than 0");
        assertRejected(() -> parse(withModel(msg + ",'max_tokens':0")), 400, "max_tokens", ">= 1");
        assertRejected(() -> parse(withModel(msg + ",'seed':1.5")), 400, "seed", "integer");
        assertRejected(() -> parse(withModel(msg + ",'stop':['a','b','c','d','e']")), 400, "stop", "at most 4");
        assertRejected(() -> parse(withModel(msg + ",'stop':7")), 400, "stop", "string or an array");
        assertRejected(() -> parse(withModel("'messages':[]")), 400, "messages", "non-empty");
        assertRejected(
                () -> parse(withModel("'messages':[{'role':'function','name':'f','content':'x'}]")),
                400,
                "messages[0].role",
                "not supported");
        assertRejected(
                () -> parse(withModel("'messages':[{'role':'tool','content':'x'}]")),
                400,
                "messages[0].tool_call_id",
                "required");
        assertRejected(
                () -> parse(withModel("'messages':[{'role':'system','content':[{'type':'image_url',"
                        + "'image_url':{'url':'data:image/png;base64,AAAA'}}]}]")),
                400,
                "messages[0].content[0].type",
                "only user messages");
        assertRejected(
                () -> parse(withModel("'messages':[{'role':'user','content':[{'type':'input_audio',"
                        + "'input_audio':{'data':'AAAA','format':'ogg'}}]}]")),
                400,
                "messages[0].content[0].input_audio.format",
                "wav, mp3 or flac");
        assertRejected(
                () -> parse(withModel("'messages':[{'role':'user','content':[{'type':'image_url',"
                        + "'image_url':{'url':'data:image/png;base64,@@@'}}]}]")),
                400,
                "messages[0].content[0].image_url.url",
                "base64");
        assertRejected(
                () -> parse("{'model':'gpt-4o','messages':[{'role':'user','content':'hi'}]}"),
                404,
                "model",
                "does not exist");
    }

    @Test
    void malformedJsonIsA400WithItsPosition() {
        assertRejected(
                () -> Json.parse("{\"model\": \"x\",\n \"messages\": [".getBytes(StandardCharsets.UTF_8)),
                400,
                null,
                "not valid JSON at line 2");
        assertRejected(() -> Json.parse(new byte[0]), 400, null, "empty");
        assertRejected(() -> Json.parse("[1]".getBytes(StandardCharsets.UTF_8)), 400, null, "JSON object");
        assertRejected(() -> Json.parse("{} {}".getBytes(StandardCharsets.UTF_8)), 400, null, "not valid JSON");
    }
}
