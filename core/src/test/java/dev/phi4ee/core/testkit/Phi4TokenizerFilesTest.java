package dev.phi4ee.core.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Phi4TokenizerFilesTest {
    @TempDir
    Path dir;

    @Test
    void writesPhi4ShapedTokenizerFiles() throws Exception {
        Phi4TokenizerFiles.write(dir);
        Phi4TokenizerFiles.write(dir.resolve("again")); // from the per-JVM cache: the same bytes
        assertThat(Files.mismatch(dir.resolve("tokenizer.json"), dir.resolve("again/tokenizer.json")))
                .isEqualTo(-1L);

        JsonNode root =
                new ObjectMapper().readTree(dir.resolve("tokenizer.json").toFile());
        JsonNode model = root.get("model");
        assertThat(model.get("type").asText()).isEqualTo("BPE");
        assertThat(model.get("merges").size()).isEqualTo(199_742); // §6.1
        assertThat(model.get("vocab").size()).isEqualTo(199_998 + 14);
        assertThat(model.get("vocab").get("<|end|>").asInt()).isEqualTo(200_020);
        assertThat(model.get("vocab").get("Ġ").asInt()).isEqualTo(220); // the space byte, o200k rank 220

        // Each merge joins two vocab entries into the next multi-byte token, in rank order.
        JsonNode vocab = model.get("vocab");
        int previous = -1;
        for (JsonNode merge : model.get("merges")) {
            String[] pair = merge.asText().split(" ", -1);
            assertThat(pair).hasSize(2);
            assertThat(vocab.has(pair[0]) && vocab.has(pair[1])).isTrue();
            int merged = vocab.get(pair[0] + pair[1]).asInt();
            assertThat(merged).isGreaterThan(previous);
            previous = merged;
        }

        Iterator<JsonNode> added = root.get("added_tokens").elements();
        for (Map.Entry<String, Integer> special : Phi4TokenizerFiles.SPECIAL_TOKENS.entrySet()) {
            JsonNode token = added.next();
            assertThat(token.get("content").asText()).isEqualTo(special.getKey());
            assertThat(token.get("id").asInt()).isEqualTo(special.getValue());
            // §6.1, as published: rstrip on 200019–200028, the tool tokens 200023–200027 not special.
            int id = special.getValue();
            assertThat(token.get("rstrip").asBoolean()).isEqualTo(id >= 200_019 && id <= 200_028);
            assertThat(token.get("special").asBoolean()).isEqualTo(id < 200_023 || id > 200_027);
            assertThat(token.get("lstrip").asBoolean()).isFalse();
            assertThat(token.get("single_word").asBoolean()).isFalse();
            assertThat(token.get("normalized").asBoolean()).isFalse();
        }
        assertThat(root.at("/pre_tokenizer/pretokenizers/0/pattern/Regex").asText())
                .isEqualTo(Phi4TokenizerFiles.O200K_PATTERN);

        JsonNode config = new ObjectMapper()
                .readTree(Files.readString(dir.resolve("tokenizer_config.json"), StandardCharsets.UTF_8));
        assertThat(config.get("add_bos_token").asBoolean()).isFalse();
        assertThat(config.get("eos_token").asText()).isEqualTo("<|endoftext|>");
        assertThat(config.get("chat_template").asText()).contains("<|assistant|>");
        // tokenizer_config.json's added_tokens_decoder carries the same flags as tokenizer.json's added_tokens.
        for (JsonNode token : root.get("added_tokens")) {
            JsonNode decoded =
                    config.get("added_tokens_decoder").get(token.get("id").asText());
            for (String field : new String[] {"content", "lstrip", "rstrip", "single_word", "normalized", "special"}) {
                assertThat(decoded.get(field)).as(field).isEqualTo(token.get(field));
            }
        }
    }
}
