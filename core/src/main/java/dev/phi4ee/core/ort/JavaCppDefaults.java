package dev.phi4ee.core.ort;

/**
 * JavaCPP settings this library needs, applied before JavaCPP's {@code Pointer} class reads them (it reads its
 * system properties once, when it is first initialised).
 *
 * <p>{@code org.bytedeco.javacpp.maxPhysicalBytes} defaults to 4 × the maximum heap: once the process's resident
 * memory passes it, every JavaCPP allocation runs the garbage collector for about a second and then fails with
 * "Physical memory usage is too high". The release's weights (≈ 4.7 GB), mapped and copied by ONNX Runtime, and the
 * KV cache count as resident memory, so with an app server's ordinary heap (1–2 GiB) every run after the model is
 * loaded would fail. The guard exists to let the garbage collector free native memory that nobody closed; every
 * native object here has an explicit owner that closes it (docs/decisions/runtime-buffer-ownership.md), so it is
 * turned off unless the user set it. An explicit {@code -Dorg.bytedeco.javacpp.maxPhysicalBytes} always wins (the
 * KV memory plan then stays below it).
 */
final class JavaCppDefaults {
    static final String MAX_PHYSICAL_BYTES = "org.bytedeco.javacpp.maxPhysicalBytes";

    private JavaCppDefaults() {}

    /** Sets the defaults that are not set yet; a no-op after the first call. Every class of this package that touches JavaCPP calls it from its static initialiser. */
    static void apply() {
        if (System.getProperty(MAX_PHYSICAL_BYTES) == null) {
            System.setProperty(MAX_PHYSICAL_BYTES, "0");
        }
    }
}
