package dev.phi4ee.core.ort;

/** A run ended (or was refused) because its session was {@linkplain OrtSession#terminate() terminated}. */
public final class OrtTerminated extends OrtFailure {
    private static final long serialVersionUID = 1L;

    public OrtTerminated(String message) {
        super(message, null);
    }
}
