package dev.phi4ee.core.generate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.phi4ee.core.model.ModelDirectory;
import dev.phi4ee.core.ort.OnnxRuntime;
import dev.phi4ee.core.ort.Placement;
import dev.phi4ee.core.ort.SessionSettings;
import dev.phi4ee.core.testkit.TestModelSpec;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The device-resident code path (KV cache, embeddings and prompt logits in ONNX Runtime-allocated memory that Java
 * never reads, moved by graph runs, only the last logits row copied to the host) run on the CPU, against the host
 * path: the same kernels see the same numbers, so the logits must be bit-identical at every step, in both cache
 * modes, across the LongRoPE re-prefill and with chunked prefill.
 */
class DeviceResidencyTest {
    static Phi4Graphs host;
    static Phi4Graphs device;
    static int originalMax;

    @BeforeAll
    static void open() {
        TestModelSpec spec = KitModels.spec().build();
        ModelDirectory dir = ModelDirectory.open(KitModels.dir(spec));
        host = Phi4Graphs.open(dir, SessionSettings.cpu(1), Placement.Kind.HOST);
        device = Phi4Graphs.open(dir, SessionSettings.cpu(1), Placement.Kind.DEVICE);
        originalMax = spec.originalMaxPositionEmbeddings();
    }

    @AfterAll
    static void close() {
        device.close();
        host.close();
    }

    @ParameterizedTest
    @CsvSource({
        "true, 12, 0", // shared buffer, short prompt, one prefill run
        "false, 12, 0", // growing cache
        "true, 61, 7", // crosses the LongRoPE switch (64) at step 3: re-prefill by concat; chunked prefill
        "false, 61, 7",
        "true, 90, 16" // prompt above the switch: first chunk longer than 64
    })
    void deviceLogitsAreBitIdenticalToHostLogits(boolean shared, int promptLength, int chunk) {
        assertThat(device.placement().isHost()).isFalse();
        long[] prompt = DecodingSessionTest.prompt(promptLength, 21);
        List<Long> hostTokens = new ArrayList<>();
        List<Long> deviceTokens = new ArrayList<>();
        List<float[]> hostRows;
        List<float[]> deviceRows;
        int reprefills;
        try (DecodingSession s = new DecodingSession(host, shared, 256, originalMax)) {
            s.prefillChunk(chunk);
            hostRows = DecodingSessionTest.decode(s, prompt, 8, hostTokens);
        }
        try (DecodingSession s = new DecodingSession(device, shared, 256, originalMax)) {
            s.prefillChunk(chunk);
            deviceRows = DecodingSessionTest.decode(s, prompt, 8, deviceTokens);
            reprefills = s.reprefills();
        }
        assertThat(reprefills).isEqualTo(promptLength < originalMax ? (promptLength + 8 > originalMax ? 1 : 0) : 0);
        assertThat(deviceTokens).isEqualTo(hostTokens);
        for (int step = 0; step < hostRows.size(); step++) {
            assertThat(DecodingSessionTest.maxAbsDiff(deviceRows.get(step), hostRows.get(step)))
                    .as("step %d", step)
                    .isZero();
        }
    }

    @Test
    void everyDeviceAllocationIsReleasedAndMemoryDoesNotGrow() {
        long[] prompt = DecodingSessionTest.prompt(originalMax - 2, 5); // every request crosses: re-prefill too
        Placement p = device.placement();
        long idle = p.liveAllocations();
        for (boolean shared : new boolean[] {true, false}) {
            try (DecodingSession s = new DecodingSession(device, shared, 256, originalMax)) {
                s.prefillChunk(16);
                DecodingSessionTest.decode(s, prompt, 4, new ArrayList<>());
                s.reset();
                long held = p.liveAllocations(); // the session's own buffers (cache, step tensors, prompt logits)
                for (int i = 0; i < 10; i++) { // the arena and the helper sessions warm up
                    DecodingSessionTest.decode(s, prompt, 4, new ArrayList<>());
                    s.reset();
                }
                System.gc();
                long before = OnnxRuntime.physicalBytes();
                for (int i = 0; i < 50; i++) {
                    DecodingSessionTest.decode(s, prompt, 4, new ArrayList<>());
                    s.reset();
                    assertThat(p.liveAllocations())
                            .as("after request %d, shared=%s", i, shared)
                            .isEqualTo(held);
                }
                long grown = OnnxRuntime.physicalBytes() - before;
                assertThat(grown).as("shared=%s: %d MiB", shared, grown >> 20).isLessThan(64L << 20);
            }
            assertThat(p.liveAllocations())
                    .as("closed session, shared=%s", shared)
                    .isEqualTo(idle);
        }
    }
}
