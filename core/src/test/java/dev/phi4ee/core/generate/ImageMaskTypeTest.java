package dev.phi4ee.core.generate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.phi4ee.core.api.GenerationResult;
import dev.phi4ee.core.api.Phi4Engine;
import dev.phi4ee.core.testkit.TestModelSpec;
import dev.phi4ee.core.testkit.TestModelSpec.FloatType;
import java.awt.Color;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The image attention mask is written in the element type the vision graph declares for it, which may differ from
 * {@code pixel_values}' (reference §3.1: each input is cast on its own). A 0/1 mask is exact in both types, so the
 * answer must equal the one of the same model with both inputs in one type.
 */
class ImageMaskTypeTest {

    @ParameterizedTest
    @CsvSource({"FP32, FP16", "FP16, FP32"})
    void maskInItsOwnTypeGivesTheSameAnswer(FloatType pixels, FloatType mask) {
        TestModelSpec uniform = KitModels.spec()
                .maxLength(2048)
                .includeVision(true)
                .floatType(pixels)
                .build();
        TestModelSpec mixed = uniform.toBuilder().imageMaskType(mask).build();
        assertThat(mixed.imageMaskType()).isNotEqualTo(mixed.floatType());

        GenerationResult expected = answer(uniform);
        GenerationResult actual = answer(mixed);

        assertThat(actual.usage().imageTokens())
                .isPositive()
                .isEqualTo(expected.usage().imageTokens());
        assertThat(actual.tokenIds()).isEqualTo(expected.tokenIds());
    }

    private static GenerationResult answer(TestModelSpec spec) {
        try (Phi4Engine engine = Phi4Engine.open(KitModels.dir(spec), MultimodalPipelineTest.options())) {
            return engine.generate(MultimodalPipelineTest.request(
                    List.of(MultimodalPipelineTest.png(500, 300, Color.RED)), List.of()));
        }
    }
}
