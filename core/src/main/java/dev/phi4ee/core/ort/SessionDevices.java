package dev.phi4ee.core.ort;

import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Whether the sessions of one engine run on one device. They hand tensors to each other in the decoder's memory
 * ({@link Placement}): an encoder that fell back to the CPU inside a CUDA engine would fail with a data-transfer error
 * at the first request, so the engine refuses to open instead.
 */
public final class SessionDevices {
    private SessionDevices() {}

    /**
     * @param providers each session's name → the provider it was actually created with ({@link
     *     OrtSession#executionProvider()}), the decoder's first
     * @return a message naming every session and its provider when they differ; empty when all agree
     */
    public static Optional<String> mismatch(Map<String, String> providers) {
        if (providers.values().stream().distinct().count() <= 1) {
            return Optional.empty();
        }
        String each = providers.entrySet().stream()
                .map(e -> e.getKey() + " on " + e.getValue())
                .collect(Collectors.joining(", "));
        return Optional.of("the sessions of one engine must run on one device, but " + each
                + ": a session that could not be created with CUDA fell back to the CPU (its cause is logged above);"
                + " fix that cause, or set executionProvider to cpu");
    }
}
