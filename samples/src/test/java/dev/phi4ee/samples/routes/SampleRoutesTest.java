package dev.phi4ee.samples.routes;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.phi4ee.core.api.Phi4Engine;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Both sample jobs end to end on Camel Main: files in, one JSON result per file out. */
@Timeout(120)
class SampleRoutesTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static Phi4Engine engine;

    @BeforeAll
    static void openEngine() {
        engine = SampleEngines.open();
    }

    @AfterAll
    static void closeEngine() {
        engine.close();
    }

    @Test
    void scansAndPdfsBecomeExtractedTextAndSummary(@TempDir Path dir) throws Exception {
        Path in = Files.createDirectories(dir.resolve("scans"));
        Path out = dir.resolve("out");
        Files.write(in.resolve("invoice.png"), SampleMedia.scanPng());
        Files.write(in.resolve("contract.pdf"), SampleMedia.pdf());
        Files.write(in.resolve("notes.txt"), "not a scan".getBytes(java.nio.charset.StandardCharsets.UTF_8));

        SampleRunner.runWith(engine, SampleJob.SCANS, in, out, new SampleSettings(8, true, "demo"), 2);

        for (String name : new String[] {"invoice", "contract"}) {
            JsonNode result = JSON.readTree(out.resolve(name + ".json").toFile());
            assertThat(result.get("file").asText()).startsWith(name + ".");
            assertThat(result.has("error")).as(result.toString()).isFalse();
            assertThat(result.has("extractedText")).isTrue();
            assertThat(result.has("summary")).isTrue();
            assertThat(result.get("warning").asText()).contains("RANDOM");
        }
        assertThat(out.resolve("notes.json")).doesNotExist();
    }

    @Test
    void callRecordingsBecomeTranscriptSummaryAndSentiment(@TempDir Path dir) throws Exception {
        Path in = Files.createDirectories(dir.resolve("calls"));
        Path out = dir.resolve("out");
        Files.write(in.resolve("call-1.wav"), SampleMedia.wav(1.5));

        SampleRunner.runWith(engine, SampleJob.CALLS, in, out, new SampleSettings(8, false, "demo"), 1);

        JsonNode result = JSON.readTree(out.resolve("call-1.json").toFile());
        assertThat(result.has("error")).as(result.toString()).isFalse();
        assertThat(result.has("transcript")).isTrue();
        assertThat(result.has("summary")).isTrue();
        assertThat(result.get("sentiment").asText()).isIn("positive", "neutral", "negative", "unknown");
        assertThat(result.has("warning")).isFalse();
    }

    @Test
    void unreadableInputGetsAnErrorResultInsteadOfStoppingTheJob(@TempDir Path dir) throws Exception {
        Path in = Files.createDirectories(dir.resolve("calls"));
        Path out = dir.resolve("out");
        Files.write(in.resolve("broken.wav"), new byte[] {1, 2, 3, 4, 5, 6, 7, 8});

        SampleRunner.runWith(engine, SampleJob.CALLS, in, out, new SampleSettings(8, true, "demo"), 1);

        JsonNode result = JSON.readTree(out.resolve("broken.json").toFile());
        assertThat(result.get("error").asText()).contains("unrecognised media");
    }

    @Test
    void sentimentIsTheFirstLabelNamed() {
        assertThat(CallAnalysisRoute.sentiment("Negative, clearly.")).isEqualTo("negative");
        assertThat(CallAnalysisRoute.sentiment("neutral rather than positive")).isEqualTo("neutral");
        assertThat(CallAnalysisRoute.sentiment("xyz")).isEqualTo("unknown");
        assertThat(CallAnalysisRoute.sentiment(null)).isEqualTo("unknown");
    }

    @Test
    void inputsAreCountedByContentTypeOfTheJob(@TempDir Path dir) throws Exception {
        Files.write(dir.resolve("a.PDF"), new byte[1]);
        Files.write(dir.resolve("b.jpeg"), new byte[1]);
        Files.write(dir.resolve("c.wav"), new byte[1]);
        assertThat(SampleRunner.countInputs(SampleJob.SCANS, dir)).isEqualTo(2);
        assertThat(SampleRunner.countInputs(SampleJob.CALLS, dir)).isEqualTo(1);
    }
}
