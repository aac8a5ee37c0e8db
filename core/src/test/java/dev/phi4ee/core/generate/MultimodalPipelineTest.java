package dev.phi4ee.core.generate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.phi4ee.core.api.EngineOptions;
import dev.phi4ee.core.api.GenerationOptions;
import dev.phi4ee.core.api.GenerationRequest;
import dev.phi4ee.core.api.GenerationResult;
import dev.phi4ee.core.api.Media;
import dev.phi4ee.core.api.Phi4Engine;
import dev.phi4ee.core.model.ModelDirectory;
import dev.phi4ee.core.model.lora.LoraAdapterContent;
import dev.phi4ee.core.ort.SessionSettings;
import dev.phi4ee.core.prompt.Adapter;
import dev.phi4ee.core.testkit.TestModelSpec;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Vision → speech → embedding → decoder on the kit model with its adapters (reference §4.1, §5.2). */
class MultimodalPipelineTest {
    static TestModelSpec spec = KitModels.spec()
            .maxLength(2048)
            .includeVision(true)
            .includeSpeech(true)
            .build();
    static Phi4Engine engine;

    @TempDir
    Path tmp;

    @BeforeAll
    static void open() {
        engine = Phi4Engine.open(KitModels.dir(spec), options());
    }

    @AfterAll
    static void close() {
        engine.close();
    }

    static EngineOptions options() {
        return EngineOptions.builder()
                .executionProvider("cpu")
                .intraOpThreads(1)
                .build();
    }

    static Media png(int w, int h, Color color) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
        Graphics2D g = img.createGraphics();
        g.setColor(color);
        g.fillRect(0, 0, w, h);
        g.setColor(Color.WHITE);
        g.fillOval(w / 4, h / 4, w / 2, h / 2);
        g.dispose();
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ImageIO.write(img, "png", out);
            return new Media(out.toByteArray(), null, "test.png");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** 16-bit mono PCM WAV of a sine tone. */
    static Media wav(double seconds, double hz) {
        int rate = 16000;
        int n = (int) (seconds * rate);
        ByteBuffer b = ByteBuffer.allocate(44 + 2 * n).order(ByteOrder.LITTLE_ENDIAN);
        b.put("RIFF".getBytes()).putInt(36 + 2 * n).put("WAVE".getBytes());
        b.put("fmt ".getBytes())
                .putInt(16)
                .putShort((short) 1)
                .putShort((short) 1)
                .putInt(rate)
                .putInt(2 * rate);
        b.putShort((short) 2).putShort((short) 16);
        b.put("data".getBytes()).putInt(2 * n);
        for (int i = 0; i < n; i++) {
            b.putShort((short) (8000 * Math.sin(2 * Math.PI * hz * i / rate)));
        }
        return new Media(b.array(), null, "tone.wav");
    }

    static GenerationRequest request(List<Media> images, List<Media> audios) {
        GenerationRequest.Builder b = GenerationRequest.builder()
                .options(GenerationOptions.builder().maxNewTokens(6).build());
        images.forEach(b::image);
        audios.forEach(b::audio);
        return b.user("What is this?").build();
    }

    @Test
    void imageTokensAreCountedAndDifferentImagesGiveDifferentOutputs() {
        GenerationResult red = engine.generate(request(List.of(png(500, 300, Color.RED)), List.of()));
        GenerationResult blue = engine.generate(request(List.of(png(500, 300, Color.BLUE)), List.of()));
        assertThat(red.usage().imageTokens()).isPositive();
        assertThat(red.usage().audioTokens()).isZero();
        assertThat(red.usage().promptTokens()).isGreaterThan(red.usage().imageTokens());
        assertThat(blue.usage().imageTokens()).isEqualTo(red.usage().imageTokens());
        assertThat(blue.tokenIds()).isNotEqualTo(red.tokenIds());
        assertThat(engine.generate(request(List.of(png(500, 300, Color.RED)), List.of()))
                        .tokenIds())
                .isEqualTo(red.tokenIds());
    }

    @Test
    void audioOfOneSecondGivesThirteenAudioTokens() {
        GenerationResult r = engine.generate(request(List.of(), List.of(wav(1.0, 440))));
        assertThat(r.usage().audioTokens()).isEqualTo(13); // §8.10: 1.0 s at 16 kHz → 98 frames → 13 tokens
        GenerationResult other = engine.generate(request(List.of(), List.of(wav(1.0, 2000))));
        assertThat(other.tokenIds()).isNotEqualTo(r.tokenIds());
    }

    @Test
    void imageAndAudioTogether() {
        GenerationResult r = engine.generate(request(List.of(png(300, 300, Color.GREEN)), List.of(wav(0.5, 300))));
        assertThat(r.usage().imageTokens()).isPositive();
        assertThat(r.usage().audioTokens()).isEqualTo(6); // 0.5 s: (8000 − 400) // 160 + 1 = 48 frames → 6 tokens
    }

    @Test
    void visionAdapterChangesTheDecoderAndTheLargerRankSpeechAdapterIsLoaded() {
        ModelDirectory dir = ModelDirectory.open(KitModels.dir(spec));
        long[] prompt = DecodingSessionTest.prompt(12, 4);
        try (Phi4Graphs g = Phi4Graphs.open(dir, SessionSettings.cpu(1));
                LoraAdapters adapters = new LoraAdapters(dir, g);
                DecodingSession s = new DecodingSession(g, true, 64, 4096)) {
            assertThat(adapters.has(Adapter.VISION)).isTrue();
            // rank 10 vs the graph's 8: the graph was widened to 10 at load time (§5.4 c), vision comes zero-padded
            assertThat(adapters.has(Adapter.SPEECH)).isTrue();
            float[] base = s.prefill(prompt, null, null).toFloats();
            s.reset();
            s.useAdapters(adapters.forAdapter(Adapter.VISION));
            float[] withVision = s.prefill(prompt, null, null).toFloats();
            int t = TokenChooser.argmax(withVision);
            float[] nextWith = s.next(t).toFloats();
            s.reset();
            s.useAdapters(null);
            s.prefill(prompt, null, null);
            float[] nextWithout = s.next(t).toFloats();
            assertThat(DecodingSessionTest.maxAbsDiff(base, withVision)).isGreaterThan(0.1f);
            // active on decode steps too, not only the prefill
            assertThat(DecodingSessionTest.maxAbsDiff(nextWith, nextWithout)).isGreaterThan(0.1f);
        }
    }

    @Test
    void adapterFitIsCheckedAgainstTheGraphsLoraInputs() throws IOException {
        ModelDirectory dir = ModelDirectory.open(KitModels.dir(spec));
        try (Phi4Graphs g = Phi4Graphs.open(dir, SessionSettings.cpu(1))) {
            var lora = g.decoder().overridableInitializers();
            assertThat(lora).isNotEmpty();
            // The decoder was widened to the speech adapter's rank 10: speech fits as it is, vision once padded.
            Path vision = dir.visionAdapter().orElseThrow();
            assertThat(LoraAdapters.misfit(asIs(dir.speechAdapter().orElseThrow()), lora))
                    .isNull();
            assertThat(LoraAdapters.misfit(
                            g.loraPlan().adapter(vision).orElseThrow().tensors(), lora))
                    .isNull();
            assertThat(LoraAdapters.misfit(asIs(vision), lora)).contains("the graph expects");
        }
    }

    /** The adapter's own tensors, not padded. */
    static java.util.List<LoraAdapterContent.PaddedTensor> asIs(Path adapter) {
        return LoraAdapterContent.read(adapter, 32).tensors(java.util.Map.of());
    }
}
