package dev.phi4ee.core.ort;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** All of an engine's sessions on one device, or an error naming each session and its provider. */
class SessionDevicesTest {
    @Test
    void sessionsOnOneDeviceAgree() {
        assertThat(SessionDevices.mismatch(Map.of("text.onnx", "cuda:0", "embedding.onnx", "cuda:0")))
                .isEmpty();
        assertThat(SessionDevices.mismatch(Map.of("text.onnx", "cpu", "embedding.onnx", "cpu")))
                .isEmpty();
    }

    @Test
    void anEncoderThatFellBackToTheCpuIsNamedWithEverySessionsProvider() {
        Map<String, String> providers = new LinkedHashMap<>();
        providers.put("phi-4-mm-text.onnx", "cuda:0");
        providers.put("phi-4-mm-embedding.onnx", "cuda:0");
        providers.put("phi-4-mm-vision.onnx", "cpu");
        assertThat(SessionDevices.mismatch(providers)).hasValueSatisfying(m -> assertThat(m)
                .contains(
                        "phi-4-mm-text.onnx on cuda:0",
                        "phi-4-mm-embedding.onnx on cuda:0",
                        "phi-4-mm-vision.onnx on cpu")
                .contains("executionProvider to cpu"));
        providers.put("phi-4-mm-vision.onnx", "cuda:1");
        assertThat(SessionDevices.mismatch(providers)).isPresent();
    }
}
