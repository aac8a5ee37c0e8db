package dev.phi4ee.core.api;

import java.util.Optional;

/**
 * The execution provider asked for (CUDA) cannot be used on this host, and the engine was told not to fall back to
 * the CPU ({@link EngineOptions} strict execution provider); or the engine's sessions ended up on different devices
 * ({@link Reason#MIXED_DEVICES}). Not a model problem: the message says what is missing
 * (a shared library by name, the driver, the device) and how to fix it (README, GPU).
 */
public class ExecutionProviderException extends Phi4Exception {
    private static final long serialVersionUID = 1L;

    /** Why the provider cannot be used. */
    public enum Reason {
        /** A shared library is missing: {@link #missingLibrary()} names it. */
        MISSING_LIBRARY,
        /** No NVIDIA driver, or one too old for the CUDA major the natives need. */
        DRIVER,
        /** No CUDA device (or not the ordinal asked for). */
        NO_DEVICE,
        /**
         * The engine's sessions ended up on different devices (an encoder fell back to the CPU while the decoder runs
         * on CUDA); the message names each session and its provider.
         */
        MIXED_DEVICES,
        /** Anything else; the message carries ONNX Runtime's (strict open reports such failures as model errors). */
        OTHER
    }

    private final Reason reason;
    private final String missingLibrary;

    public ExecutionProviderException(String message, Reason reason, String missingLibrary, Throwable cause) {
        super(message, cause);
        this.reason = reason;
        this.missingLibrary = missingLibrary;
    }

    public Reason reason() {
        return reason;
    }

    public Optional<String> missingLibrary() {
        return Optional.ofNullable(missingLibrary);
    }
}
