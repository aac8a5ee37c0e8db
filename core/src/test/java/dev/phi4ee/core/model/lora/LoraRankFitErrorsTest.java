package dev.phi4ee.core.model.lora;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.phi4ee.core.api.ModelFormatException;
import dev.phi4ee.core.model.onnx.OnnxAdapterFormat;
import dev.phi4ee.core.testkit.LoraAdapters;
import dev.phi4ee.core.testkit.Phi4TestModels;
import dev.phi4ee.core.testkit.TestModelSpec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad adapters fail at plan time with a {@link ModelFormatException} naming the file and the parameter. */
class LoraRankFitErrorsTest {
    static final TestModelSpec SPEC =
            TestModelSpec.builder().includeVision(false).includeSpeech(false).build();
    static final String Q_A = Phi4TestModels.loraInputName(0, "attn.q_proj", 'A');
    static final String Q_B = Phi4TestModels.loraInputName(0, "attn.q_proj", 'B');

    @TempDir
    static Path tmp;

    static Path dir;
    static Path graph;

    @BeforeAll
    static void write() {
        dir = Phi4TestModels.write(tmp.resolve("model"), SPEC);
        graph = dir.resolve(Phi4TestModels.TEXT_FILE);
    }

    /** The kit's adapter at {@code rank}, each parameter passed through {@code edit} (null drops it). */
    static Path adapter(String name, int rank, UnaryOperator<OnnxAdapterFormat.Parameter> edit) throws IOException {
        List<OnnxAdapterFormat.Parameter> parameters = new ArrayList<>();
        for (LoraAdapters.NamedTensor t : LoraAdapters.tensors(SPEC, "speech", rank)) {
            ByteBuffer b = ByteBuffer.allocate(t.values().length * 4).order(ByteOrder.LITTLE_ENDIAN);
            b.asFloatBuffer().put(t.values());
            OnnxAdapterFormat.Parameter p =
                    edit.apply(new OnnxAdapterFormat.Parameter(t.name(), t.dims(), 1, b.array()));
            if (p != null) {
                parameters.add(p);
            }
        }
        return Files.write(tmp.resolve(name), OnnxAdapterFormat.encode(1, 1, parameters));
    }

    static void assertRejected(Path adapter, String... fragments) {
        var thrown = assertThatThrownBy(() -> LoraRankFit.plan(graph, List.of(adapter)))
                .isInstanceOf(ModelFormatException.class)
                .hasMessageContaining(adapter.getFileName().toString());
        for (String f : fragments) {
            thrown.hasMessageContaining(f);
        }
    }

    @Test
    void truncatedFile() throws IOException {
        byte[] good = Files.readAllBytes(adapter("good.onnx_adapter", 10, p -> p));
        Path cut = Files.write(tmp.resolve("cut.onnx_adapter"), Arrays.copyOf(good, good.length / 3));
        assertRejected(cut, "not a valid ONNX Runtime adapter file");
    }

    @Test
    void notAnAdapterFile() throws IOException {
        Path other = Files.write(tmp.resolve("other.onnx_adapter"), Files.readAllBytes(graph));
        assertRejected(other, "TORT");
    }

    @Test
    void dataSizeDoesNotMatchShape() throws IOException {
        assertRejected(
                adapter(
                        "short.onnx_adapter",
                        10,
                        p -> p.name().equals(Q_B)
                                ? new OnnxAdapterFormat.Parameter(
                                        p.name(), p.dims(), 1, Arrays.copyOf(p.data(), p.data().length - 4))
                                : p),
                Q_B,
                "bytes");
    }

    @Test
    void rankAboveMinOfInAndOut() throws IOException {
        // hidden 32 is the smaller side of q_proj (32 → 128): rank 40 is not low-rank any more.
        assertRejected(adapter("huge.onnx_adapter", 40, p -> p), Q_A, "rank 40 exceeds min(in, out) = 32");
    }

    @Test
    void parameterTheGraphDoesNotHave() throws IOException {
        String layer7 = Phi4TestModels.loraInputName(7, "attn.q_proj", 'A');
        assertRejected(
                adapter(
                        "layer7.onnx_adapter",
                        10,
                        p -> p.name().equals(Q_A) ? new OnnxAdapterFormat.Parameter(layer7, p.dims(), 1, p.data()) : p),
                layer7,
                "no LoRA input of this name");
    }

    @Test
    void parameterThatIsNoLoraWeight() throws IOException {
        assertRejected(
                adapter(
                        "renamed.onnx_adapter",
                        10,
                        p -> p.name().equals(Q_A)
                                ? new OnnxAdapterFormat.Parameter(
                                        "model.layers.0.attn.q_proj.weight", p.dims(), 1, p.data())
                                : p),
                "model.layers.0.attn.q_proj.weight",
                "not a LoRA weight");
    }

    @Test
    void ranksOfATargetDisagree() throws IOException {
        Path mixed = adapter("mixed.onnx_adapter", 10, p -> {
            if (!p.name().equals(Q_B)) {
                return p;
            }
            long[] dims = p.dims();
            dims[0] = 12;
            return new OnnxAdapterFormat.Parameter(p.name(), dims, 1, new byte[(int) (12 * dims[1] * 4)]);
        });
        assertRejected(mixed, Q_B, "rank 12 disagrees with rank 10 of " + Q_A);
    }

    @Test
    void shapeApartFromRankDoesNotMatch() throws IOException {
        Path wrongIn = adapter("wrongin.onnx_adapter", 10, p -> {
            if (!p.name().equals(Q_A)) {
                return p;
            }
            return new OnnxAdapterFormat.Parameter(p.name(), new long[] {31, 10}, 1, new byte[31 * 10 * 4]);
        });
        assertRejected(wrongIn, Q_A, "does not match the text graph's [32, 8]");
    }

    @Test
    void duplicateParameter() throws IOException {
        List<OnnxAdapterFormat.Parameter> twice = new ArrayList<>();
        adapter("dup-source.onnx_adapter", 10, p -> {
            twice.add(p);
            if (p.name().equals(Q_A)) {
                twice.add(p);
            }
            return p;
        });
        Path dup = Files.write(tmp.resolve("dup.onnx_adapter"), OnnxAdapterFormat.encode(1, 1, twice));
        assertRejected(dup, Q_A, "appears twice");
    }

    @Test
    void unsupportedDataType() throws IOException {
        Path doubles = adapter(
                "double.onnx_adapter",
                10,
                p -> p.name().equals(Q_A) ? new OnnxAdapterFormat.Parameter(p.name(), p.dims(), 11, p.data()) : p);
        assertRejected(doubles, Q_A, "unsupported data type 11");
    }

    @Test
    void truncatedOrForeignGraphFile() throws IOException {
        byte[] good = Files.readAllBytes(graph);
        Path cut = Files.write(tmp.resolve("cut.onnx"), Arrays.copyOf(good, good.length / 2));
        assertThatThrownBy(() -> LoraRankFit.plan(cut, List.of()))
                .isInstanceOf(ModelFormatException.class)
                .hasMessageStartingWith("cut.onnx: cannot read ONNX graph: not a valid ONNX model");
        Path empty = Files.write(tmp.resolve("empty.onnx"), new byte[0]);
        assertThatThrownBy(() -> LoraRankFit.plan(empty, List.of()))
                .isInstanceOf(ModelFormatException.class)
                .hasMessageContaining(
                        "empty.onnx: cannot read ONNX graph: not a valid ONNX model: the model has no graph");
        assertThatThrownBy(() -> LoraRankFit.plan(tmp.resolve("absent.onnx"), List.of()))
                .isInstanceOf(ModelFormatException.class)
                .hasMessageStartingWith("absent.onnx: cannot read ONNX graph");
    }
}
