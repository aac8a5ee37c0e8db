package dev.phi4ee.core.model;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.phi4ee.core.api.ModelFormatException;
import dev.phi4ee.core.ort.ElementType;
import dev.phi4ee.core.ort.TensorInfo;
import java.util.List;
import org.junit.jupiter.api.Test;

class GraphContractTest {
    private static TensorInfo t(String name, ElementType type, long... shape) {
        List<String> sym = new java.util.ArrayList<>();
        for (long d : shape) {
            sym.add(d < 0 ? "dyn" : "");
        }
        return new TensorInfo(name, type.onnxCode(), shape, sym);
    }

    private final GraphContract embedding = new GraphContract("phi-4-mm-embedding.onnx")
            .input("input_ids", java.util.Set.of(ElementType.INT64), -1, -1)
            .input("image_features", GraphContract.FLOATS, -1, 64)
            .output("inputs_embeds", GraphContract.FLOATS, -1, -1, 64);

    @Test
    void acceptsMatchingSignature() {
        assertThatCode(() -> embedding.check(
                        List.of(
                                t("input_ids", ElementType.INT64, -1, -1),
                                t("image_features", ElementType.FLOAT16, -1, 64)),
                        List.of(t("inputs_embeds", ElementType.FLOAT16, -1, -1, 64))))
                .doesNotThrowAnyException();
    }

    @Test
    void renamedTensorIsNamedWithWhatExists() {
        assertThatThrownBy(() -> embedding.check(
                        List.of(t("ids", ElementType.INT64, -1, -1), t("image_features", ElementType.FLOAT, -1, 64)),
                        List.of(t("inputs_embeds", ElementType.FLOAT, -1, -1, 64))))
                .isInstanceOf(ModelFormatException.class)
                .hasMessage("phi-4-mm-embedding.onnx: input 'input_ids': expected int64 rank 2 [*, *], found no such"
                        + " input; the graph's inputs are [ids, image_features]");
    }

    @Test
    void wrongDtypeRankOrDimIsReported() {
        assertThatThrownBy(() -> embedding.check(
                        List.of(
                                t("input_ids", ElementType.INT32, -1, -1),
                                t("image_features", ElementType.FLOAT, -1, 64)),
                        List.of(t("inputs_embeds", ElementType.FLOAT, -1, -1, 64))))
                .hasMessage("phi-4-mm-embedding.onnx: input 'input_ids': expected int64 rank 2 [*, *], found int32"
                        + " rank 2 [dyn, dyn]");
        assertThatThrownBy(() -> embedding.check(
                        List.of(
                                t("input_ids", ElementType.INT64, -1, -1),
                                t("image_features", ElementType.FLOAT, -1, 32)),
                        List.of(t("inputs_embeds", ElementType.FLOAT, -1, -1, 64))))
                .hasMessage("phi-4-mm-embedding.onnx: input 'image_features': expected float16 or float32 rank 2"
                        + " [*, 64], found float32 rank 2 [dyn, 32]");
        assertThatThrownBy(() -> embedding.check(
                        List.of(
                                t("input_ids", ElementType.INT64, -1, -1),
                                t("image_features", ElementType.FLOAT, -1, 64),
                                t("position_ids", ElementType.INT64, -1, -1)),
                        List.of(t("inputs_embeds", ElementType.FLOAT, -1, 64))))
                .hasMessageContaining("output 'inputs_embeds': expected float16 or float32 rank 3");
    }

    @Test
    void unexpectedRequiredInputIsAnError() {
        assertThatThrownBy(() -> embedding.check(
                        List.of(
                                t("input_ids", ElementType.INT64, -1, -1),
                                t("image_features", ElementType.FLOAT, -1, 64),
                                t("position_ids", ElementType.INT64, -1, -1)),
                        List.of(t("inputs_embeds", ElementType.FLOAT, -1, -1, 64))))
                .hasMessageContaining("unexpected required input(s) [position_ids: int64 [dyn, dyn]]");
    }
}
