package dev.phi4ee.core.ort;

import org.bytedeco.javacpp.PointerScope;

/**
 * A per-step safety net: native temporaries JavaCPP creates while the scope is open on this thread are released when
 * it closes (measured here: 200k tensor create/release cycles grew native memory by 21 MB with a scope, 222 MB
 * without). Tensors detach themselves, so they stay owned by whoever created them.
 */
public final class NativeScope implements AutoCloseable {
    private final PointerScope scope;

    private NativeScope() {
        this.scope = new PointerScope();
    }

    public static NativeScope open() {
        return new NativeScope();
    }

    @Override
    public void close() {
        scope.close();
    }
}
