package dev.phi4ee.core.text;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.phi4ee.core.api.ChatMessage;
import dev.phi4ee.core.api.ContentPart;
import dev.phi4ee.core.api.Media;
import dev.phi4ee.core.testkit.MultilingualCorpus;
import dev.phi4ee.core.testkit.Phi4TokenizerFiles;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.io.TempDir;

/**
 * Parity with Hugging Face's JavaScript implementation, where it is installed
 * ({@code npm install -g @huggingface/tokenizers @huggingface/jinja}, or any folder on {@code NODE_PATH}); skipped
 * otherwise, so CI does not depend on it. The test kit's tokenizer files (published flags) are loaded by Tokenizers.js;
 * the chat template of tokenizer_config.json is rendered by {@code @huggingface/jinja} and the string encoded with
 * added-token matching, which is what {@code apply_chat_template(..., tokenize=True)} does. Checked: template-text
 * encoding (rstrip around the specials), the chat prompt ids, and decoding with and without
 * {@code skip_special_tokens}.
 */
@EnabledIf("huggingFaceJsAvailable")
class HuggingFaceJsParityTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static final String SCRIPT = """
            const fs = require('fs');
            const { Tokenizer } = require('@huggingface/tokenizers');
            const { Template } = require('@huggingface/jinja');
            const [dir, casesFile, outFile] = process.argv.slice(2);
            const config = JSON.parse(fs.readFileSync(dir + '/tokenizer_config.json', 'utf8'));
            const tok = new Tokenizer(JSON.parse(fs.readFileSync(dir + '/tokenizer.json', 'utf8')), config);
            const cases = JSON.parse(fs.readFileSync(casesFile, 'utf8'));
            const encode = s => tok.encode(s, { add_special_tokens: false }).ids;
            const template = new Template(config.chat_template);
            fs.writeFileSync(outFile, JSON.stringify({
              texts: cases.texts.map(encode),
              chats: cases.chats.map(c => encode(template.render({
                messages: c.messages, add_generation_prompt: c.add_generation_prompt, eos_token: config.eos_token }))),
              decoded: cases.ids.map(ids => [tok.decode(ids, { skip_special_tokens: false }),
                                             tok.decode(ids, { skip_special_tokens: true })]),
            }));
            """;

    @TempDir
    Path dir;

    @Test
    void idsAndTextEqualTokenizersJs() throws Exception {
        Phi4TokenizerFiles.write(dir);
        Phi4Tokenizer tokenizer = Phi4Tokenizer.load(dir.resolve("tokenizer.json"));
        ChatTemplate template = new ChatTemplate(
                tokenizer, Phi4TokenizerFiles.IMAGE_PLACEHOLDER_ID, Phi4TokenizerFiles.AUDIO_PLACEHOLDER_ID);

        List<String> texts = new ArrayList<>(MultilingualCorpus.documents().subList(0, 150));
        String[] around = {"", " ", "  ", "\t", "\n", "\r\n", " \n ", "\u00a0", "\u3000", "x", " x", "x "};
        for (String special : Phi4TokenizerFiles.SPECIAL_TOKENS.keySet()) {
            for (int i = 0; i < around.length; i++) {
                texts.add(around[i] + special + around[(i * 5 + 1) % around.length] + "Hi"
                        + around[(i * 7 + 2) % around.length] + special + around[i]);
            }
        }

        String[] contents = {"Hi", " Hi", "  Hi  ", "\tHi\t", "\nHi\n", " \t \n x y ", "", " ", "\n\n", "\u3000日本語 "};
        List<List<ChatMessage>> conversations = new ArrayList<>();
        List<List<ObjectNode>> jsMessages = new ArrayList<>();
        for (int i = 0; i < contents.length; i++) {
            String a = contents[i];
            String b = contents[(i * 3 + 1) % contents.length];
            conversations.add(List.of(ChatMessage.system(a, b), ChatMessage.user(b), ChatMessage.assistant(a)));
            jsMessages.add(List.of(js("system", a, b), js("user", b, null), js("assistant", a, null)));
            conversations.add(List.of(ChatMessage.user(
                    List.of(ContentPart.text(a), ContentPart.image(Media.of(new byte[] {1})), ContentPart.text(b)))));
            jsMessages.add(List.of(js("user", a + "<|endoftext10|>" + b, null)));
        }

        List<int[]> idLists = new ArrayList<>();
        idLists.add(IntStream.rangeClosed(199_999, 200_028).toArray());
        for (String text : texts.subList(150, texts.size())) {
            idLists.add(tokenizer.encodeWithSpecialTokens(text));
        }

        ObjectNode cases = JSON.createObjectNode();
        ArrayNode textCases = cases.putArray("texts");
        texts.forEach(textCases::add);
        ArrayNode chatCases = cases.putArray("chats");
        for (int i = 0; i < jsMessages.size(); i++) {
            for (boolean generationPrompt : new boolean[] {true, false}) {
                ObjectNode chat = chatCases.addObject();
                chat.putArray("messages").addAll(jsMessages.get(i));
                chat.put("add_generation_prompt", generationPrompt);
            }
        }
        ArrayNode idCases = cases.putArray("ids");
        for (int[] ids : idLists) {
            ArrayNode list = idCases.addArray();
            for (int id : ids) {
                list.add(id);
            }
        }
        JsonNode out = runNode(cases);

        for (int i = 0; i < texts.size(); i++) {
            assertThat(tokenizer.encodeWithSpecialTokens(texts.get(i)))
                    .as("text %d: %s", i, texts.get(i))
                    .containsExactly(ints(out.get("texts").get(i)));
        }
        int c = 0;
        for (List<ChatMessage> conversation : conversations) {
            for (boolean generationPrompt : new boolean[] {true, false}) {
                assertThat(template.render(conversation, generationPrompt, part -> 1)
                                .ids())
                        .as("chat %d: %s", c, chatCases.get(c))
                        .containsExactly(ints(out.get("chats").get(c)));
                c++;
            }
        }
        for (int i = 0; i < idLists.size(); i++) {
            JsonNode decoded = out.get("decoded").get(i);
            assertThat(tokenizer.decode(idLists.get(i), false))
                    .isEqualTo(decoded.get(0).asText());
            assertThat(tokenizer.decode(idLists.get(i), true))
                    .isEqualTo(decoded.get(1).asText());
        }
    }

    private static ObjectNode js(String role, String content, String tools) {
        ObjectNode m = JSON.createObjectNode().put("role", role).put("content", content);
        if (tools != null) {
            m.put("tools", tools);
        }
        return m;
    }

    private static int[] ints(JsonNode array) {
        int[] ids = new int[array.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = array.get(i).asInt();
        }
        return ids;
    }

    private JsonNode runNode(JsonNode cases) throws IOException, InterruptedException {
        Path script = dir.resolve("parity.cjs");
        Path in = dir.resolve("cases.json");
        Path out = dir.resolve("out.json");
        Files.writeString(script, SCRIPT);
        JSON.writeValue(in.toFile(), cases);
        ProcessBuilder pb = new ProcessBuilder("node", script.toString(), dir.toString(), in.toString(), out.toString())
                .redirectErrorStream(true);
        pb.environment().put("NODE_PATH", nodePath());
        Process p = pb.start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(log).isZero();
        return JSON.readTree(out.toFile());
    }

    static boolean huggingFaceJsAvailable() {
        try {
            ProcessBuilder pb = new ProcessBuilder(
                            "node", "-e", "require('@huggingface/tokenizers'); require('@huggingface/jinja')")
                    .redirectErrorStream(true);
            pb.environment().put("NODE_PATH", nodePath());
            Process p = pb.start();
            p.getInputStream().readAllBytes();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static volatile String nodePath;

    /** The caller's NODE_PATH plus npm's global module folder. */
    private static String nodePath() {
        if (nodePath == null) {
            String global = "";
            try {
                Process p = new ProcessBuilder("npm", "root", "-g").start();
                global = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
                p.waitFor(30, TimeUnit.SECONDS);
            } catch (IOException e) {
                // no npm: only NODE_PATH
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            String own = System.getenv("NODE_PATH");
            nodePath = own == null || own.isEmpty() ? global : own + File.pathSeparator + global;
        }
        return nodePath;
    }
}
