package dev.phi4ee.core.generate;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.phi4ee.core.api.EngineOptions;
import dev.phi4ee.core.api.GenerationOptions;
import dev.phi4ee.core.api.GenerationRequest;
import dev.phi4ee.core.api.GenerationResult;
import dev.phi4ee.core.api.KvCachePlan;
import dev.phi4ee.core.api.Phi4Engine;
import dev.phi4ee.core.model.HfModelConfig;
import dev.phi4ee.core.model.ModelDirectory;
import dev.phi4ee.core.model.onnx.Onnx;
import dev.phi4ee.core.ort.ElementType;
import dev.phi4ee.core.ort.SessionSettings;
import dev.phi4ee.core.ort.TensorInfo;
import dev.phi4ee.core.testkit.Phi4TestModels;
import dev.phi4ee.core.testkit.TestModelSpec;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The kit's release-geometry model ({@link TestModelSpec#releaseGeometry()}) has the published folder's form and
 * sizes wherever the runtime reads them (reference §2.1, §2.2, §3.4, §5.1, §10.1) and the engine opens it.
 */
class ReleaseGeometryModelTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final TestModelSpec SPEC = TestModelSpec.releaseGeometry();

    @TempDir
    static Path tmp;

    static Path dir;

    @BeforeAll
    static void write() throws IOException {
        long start = System.nanoTime();
        dir = Phi4TestModels.write(tmp.resolve("gpu-int4-rtn-block-32"), SPEC);
        long millis = (System.nanoTime() - start) / 1_000_000;
        System.out.printf("release-geometry kit model: %d MB on disk, written in %d ms%n", bytes(dir) >> 20, millis);
    }

    @Test
    void hasThePublishedFilesAndNoConfigJson() {
        for (String f : List.of(
                "genai_config.json",
                "phi-4-mm-text.onnx",
                "phi-4-mm-text.onnx.data",
                "phi-4-mm-embedding.onnx",
                "phi-4-mm-embedding.onnx.data",
                "phi-4-mm-vision.onnx",
                "phi-4-mm-vision.onnx_adapter",
                "phi-4-mm-speech.onnx",
                "phi-4-mm-speech.onnx_adapter",
                "vision_processor.json",
                "speech_processor.json",
                "tokenizer.json",
                "tokenizer_config.json")) {
            assertThat(dir.resolve(f)).as(f).isRegularFile();
        }
        assertThat(dir.resolve(HfModelConfig.FILE_NAME)).doesNotExist();
        assertThat(ModelDirectory.open(dir).hfConfig().originalMaxPositionEmbeddings())
                .isEqualTo(4096);
    }

    @Test
    void genaiConfigHasTheReleasesValues() throws IOException {
        JsonNode genai = JSON.readTree(dir.resolve("genai_config.json").toFile());
        JsonNode model = genai.get("model");
        JsonNode decoder = model.get("decoder");
        assertThat(model.get("context_length").asInt()).isEqualTo(131_072);
        assertThat(decoder.get("num_hidden_layers").asInt()).isEqualTo(32);
        assertThat(decoder.get("num_attention_heads").asInt()).isEqualTo(24);
        assertThat(decoder.get("num_key_value_heads").asInt()).isEqualTo(8);
        assertThat(decoder.get("head_size").asInt()).isEqualTo(128);
        assertThat(model.get("vocab_size").asInt()).isEqualTo(200_064);
        assertThat(model.get("vision").get("adapter_filename").asText()).isEqualTo("phi-4-mm-vision.onnx_adapter");
        assertThat(model.get("speech").get("adapter_filename").asText()).isEqualTo("phi-4-mm-speech.onnx_adapter");
        JsonNode search = genai.get("search");
        assertThat(search.get("max_length").asInt()).isEqualTo(131_072);
        assertThat(search.get("past_present_share_buffer").asBoolean()).isTrue();
        assertThat(search.get("top_k").asInt()).isEqualTo(1);
    }

    @Test
    void textGraphHasTheReleasesProjectionsLoraAndRotary() throws IOException {
        Onnx.GraphProto graph;
        try (InputStream in = Files.newInputStream(dir.resolve("phi-4-mm-text.onnx"))) {
            graph = Onnx.ModelProto.parseFrom(in).getGraph();
        }
        List<Onnx.NodeProto> int4 = graph.getNodeList().stream()
                .filter(n -> n.getOpType().equals("MatMulNBits"))
                .toList();
        assertThat(int4).hasSize(32 * 7 + 1); // q, k, v, o, gate, up, down per layer + lm_head
        assertThat(int4).allSatisfy(n -> assertThat(attribute(n, "block_size")).isEqualTo(32));
        assertThat(int4).allSatisfy(n -> assertThat(attribute(n, "bits")).isEqualTo(4));
        assertThat(int4).anySatisfy(n -> assertThat(attribute(n, "N")).isEqualTo(24 * 128)); // q_proj
        assertThat(int4).anySatisfy(n -> assertThat(attribute(n, "K")).isEqualTo(24 * 128)); // o_proj
        Onnx.NodeProto gqa = graph.getNodeList().stream()
                .filter(n -> n.getOpType().equals("GroupQueryAttention"))
                .findFirst()
                .orElseThrow();
        assertThat(attribute(gqa, "num_heads")).isEqualTo(24);
        assertThat(attribute(gqa, "kv_num_heads")).isEqualTo(8);
        Onnx.TensorProto cos = graph.getInitializerList().stream()
                .filter(t -> t.getName().equals("rotary.long.cos_cache"))
                .findFirst()
                .orElseThrow();
        assertThat(cos.getDimsList()).containsExactly(131_072L, 48L); // 96 rotary dims of 128
        Onnx.ValueInfoProto loraA = graph.getInputList().stream()
                .filter(i -> i.getName().equals(Phi4TestModels.loraInputName(31, "attn.q_proj", 'A')))
                .findFirst()
                .orElseThrow();
        assertThat(loraA.getType().getTensorType().getShape().getDim(1).getDimValue())
                .isEqualTo(SPEC.loraRank());
    }

    @Test
    void graphsMeetTheContractsAndTheSpeechAdapterWidensTheLora() {
        try (Phi4Graphs graphs = Phi4Graphs.open(ModelDirectory.open(dir), SessionSettings.cpu(1))) {
            TensorInfo past = graphs.decoder().input("past_key_values.31.key").orElseThrow();
            assertThat(past.shape()).containsExactly(-1, 8, -1, 128);
            assertThat(graphs.kvType()).isEqualTo(ElementType.FLOAT16);
            assertThat(graphs.embedsType()).isEqualTo(ElementType.FLOAT16);
            assertThat(graphs.loraPlan().decoder().rank()).isEqualTo(SPEC.speechLoraRank());
        }
    }

    @Test
    void opensWithAnExplicitWindowAndGenerates() {
        EngineOptions options = EngineOptions.builder()
                .executionProvider("cpu")
                .intraOpThreads(1)
                .maxLength(2048)
                .maxBatchSize(2)
                .build();
        try (Phi4Engine engine = Phi4Engine.open(dir, options)) {
            assertThat(engine.info().maxLength()).isEqualTo(2048);
            GenerationResult text = engine.generate(request(false));
            GenerationResult speech = engine.generate(request(true)); // speech adapter on the widened graph
            assertThat(text.tokenIds()).hasSize(4);
            assertThat(speech.usage().audioTokens()).isEqualTo(13);
            assertThat(speech.tokenIds()).hasSize(4);
        }
    }

    @Test
    void opensWithDefaultOptionsAndGenerates() {
        try (Phi4Engine engine = Phi4Engine.open(dir)) {
            // The release's KV geometry: 32 layers × 2 × 8 heads × 128 × 2 B = 128 KiB per token (§4.3); the plan
            // shrinks the 131072 window (8 × 16 GiB) to what the host budget holds.
            KvCachePlan plan = engine.info().kvCache();
            assertThat(plan.bytesPerToken()).isEqualTo(128 * 1024);
            assertThat(plan.window()).isBetween(1024, 131_072);
            assertThat(plan.totalBytes()).isLessThanOrEqualTo(plan.budgetBytes());
            assertThat(engine.generate(request(false)).tokenIds()).hasSize(4);
            assertThat(engine.generate(request(true)).usage().audioTokens()).isEqualTo(13);
        }
    }

    private static GenerationRequest request(boolean withAudio) {
        GenerationRequest.Builder b = GenerationRequest.builder()
                .options(GenerationOptions.builder().maxNewTokens(4).build());
        if (withAudio) {
            b.audio(MultimodalPipelineTest.wav(1.0, 440));
        }
        return b.user("What is this?").build();
    }

    private static long attribute(Onnx.NodeProto node, String name) {
        return node.getAttributeList().stream()
                .filter(a -> a.getName().equals(name))
                .findFirst()
                .orElseThrow()
                .getI();
    }

    private static long bytes(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.mapToLong(f -> f.toFile().length()).sum();
        }
    }
}
