package dev.phi4ee.core.model.lora;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A LoRA weight of the text graph or of an adapter, recognised by name (reference §3.4, §5.1): float
 * {@code <target>.lora_A.MatMul.weight} ({@code [in, r]}) / {@code …lora_B…} ({@code [r, out]}), or the release's
 * int4 form {@code …weight_Q4} (uint8 {@code [N, ceil(K/32), 16]}) with {@code …weight_scales}, where lora_A has
 * N = r and lora_B has K = r.
 *
 * @param name full tensor name
 * @param target the projection it belongs to, e.g. {@code model.layers.0.attn.q_proj}
 * @param side {@code 'A'} (down-projection to the rank) or {@code 'B'} (up-projection from it)
 * @param form how the tensor stores its values
 */
public record LoraTensor(String name, String target, char side, Form form) {
    private static final Pattern NAME = Pattern.compile("(.+)\\.lora_([AB])\\.(?:.+\\.)?weight(_Q4|_scales)?");

    /** Storage of a LoRA weight. */
    public enum Form {
        /** float32/float16/bfloat16 matrix, lora_A {@code [in, r]}, lora_B {@code [r, out]}. */
        FLOAT,
        /** MatMulNBits 4-bit weight, uint8 {@code [N, blocks, blockSize/2]}. */
        Q4,
        /** MatMulNBits scales, {@code [N · blocks]} or {@code [N, blocks]}. */
        SCALES
    }

    /**
     * The LoRA weight named {@code name}, or empty when the name is not a LoRA weight's (e.g. int4 zero points,
     * {@code …weight_zp}, which this project does not pad).
     */
    public static Optional<LoraTensor> parse(String name) {
        Matcher m = NAME.matcher(name);
        if (!m.matches()) {
            return Optional.empty();
        }
        Form form = m.group(3) == null ? Form.FLOAT : m.group(3).equals("_Q4") ? Form.Q4 : Form.SCALES;
        return Optional.of(new LoraTensor(name, m.group(1), m.group(2).charAt(0), form));
    }

    public boolean isA() {
        return side == 'A';
    }
}
