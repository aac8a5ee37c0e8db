package dev.phi4ee.core.generate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.phi4ee.core.api.GenerationOptions;
import dev.phi4ee.core.api.GenerationRequest;
import dev.phi4ee.core.api.Media;
import dev.phi4ee.core.model.ModelDirectory;
import dev.phi4ee.core.ort.Tensor;
import java.awt.Color;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The prompt length given to the context check before any media is decoded, from image and WAV headers only, is
 * exactly the length of the prompt once the media are decoded and expanded, and the vision and speech encoders of
 * the test kit (which derive their row counts from the pixel mask and the features, independently of the planner)
 * produce exactly the image and audio tokens counted from the headers.
 */
class EarlyContextCountTest {
    static Phi4Graphs graphs;
    static PromptPreparer preparer;

    @BeforeAll
    static void open() {
        graphs = KitModels.open(MultimodalPipelineTest.spec);
        ModelDirectory dir = graphs.directory();
        preparer = new PromptPreparer(Phi4TextCodec.load(dir), graphs, MultimodalPipelineTest.options());
    }

    @AfterAll
    static void close() {
        graphs.close();
    }

    private static void assertExact(List<Media> images, List<Media> audios) {
        GenerationRequest.Builder b = GenerationRequest.builder()
                .options(GenerationOptions.builder().maxNewTokens(1).build());
        images.forEach(b::image);
        audios.forEach(b::audio);
        int[] early = new int[1];
        try (PreparedPrompt p = preparer.prepare(b.user("What is this?").build(), n -> early[0] = n)) {
            String what = images.size() + " images, " + audios.size() + " recordings";
            assertThat(early[0]).as(what).isEqualTo(p.expanded.ids().length);
            MediaEncoders encoders = new MediaEncoders(graphs);
            if (p.vision != null) {
                try (Tensor features = encoders.encodeImages(p.vision, p.expanded.imageTokens())) {
                    assertThat(features.shape()[0]).as(what).isEqualTo(p.expanded.imageTokens());
                }
            }
            if (p.speech != null) {
                try (Tensor features = encoders.encodeAudio(p.speech, p.expanded.mode(), p.expanded.audioTokens())) {
                    assertThat(features.shape()[0]).as(what).isEqualTo(p.expanded.audioTokens());
                }
            }
        }
    }

    @Test
    void imagesOfManySizes() {
        int[][] sizes = {{1, 1}, {448, 10}, {640, 480}, {1000, 300}, {300, 1000}, {1344, 896}, {2000, 120}};
        for (int[] s : sizes) {
            assertExact(List.of(MultimodalPipelineTest.png(s[0], s[1], Color.RED)), List.of());
        }
        assertExact(
                List.of(
                        MultimodalPipelineTest.png(500, 300, Color.RED),
                        MultimodalPipelineTest.png(90, 700, Color.BLUE)),
                List.of());
    }

    @Test
    void recordingsOfManyLengthsWithAndWithoutImages() {
        for (double seconds : new double[] {0.03, 0.5, 1.0, 3.7}) {
            assertExact(List.of(), List.of(MultimodalPipelineTest.wav(seconds, 300)));
        }
        assertExact(
                List.of(MultimodalPipelineTest.png(640, 480, Color.GREEN)),
                List.of(MultimodalPipelineTest.wav(1.3, 300), MultimodalPipelineTest.wav(0.7, 500)));
    }
}
