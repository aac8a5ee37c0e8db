package dev.phi4ee.core.api;

/**
 * The KV cache the engine options ask for does not fit the memory budget (docs/decisions/runtime-kv-memory-plan.md).
 * The message names the options and the numbers.
 */
public class InsufficientMemoryException extends Phi4Exception {
    private static final long serialVersionUID = 1L;

    private final long requiredBytes;
    private final long budgetBytes;

    public InsufficientMemoryException(String message, long requiredBytes, long budgetBytes) {
        super(message);
        this.requiredBytes = requiredBytes;
        this.budgetBytes = budgetBytes;
    }

    /** Bytes the smallest cache the options allow would need. */
    public long requiredBytes() {
        return requiredBytes;
    }

    public long budgetBytes() {
        return budgetBytes;
    }
}
