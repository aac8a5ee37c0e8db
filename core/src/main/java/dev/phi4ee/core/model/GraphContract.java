package dev.phi4ee.core.model;

import dev.phi4ee.core.api.ModelFormatException;
import dev.phi4ee.core.ort.ElementType;
import dev.phi4ee.core.ort.TensorInfo;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What one graph must declare (reference §3): each named input/output with its allowed element types, its rank and
 * the dimensions the config fixes. {@link #check} compares it with what ONNX Runtime reports and throws a
 * {@link ModelFormatException} naming the file, the tensor, what was expected and what was found.
 */
public final class GraphContract {
    /** One expected tensor; {@code dims[i] < 0} = any size (symbolic). */
    public record Expected(String name, Set<ElementType> types, long[] dims, boolean optional) {
        String describe() {
            String t = types.stream().map(ElementType::label).sorted().collect(Collectors.joining(" or "));
            StringBuilder sb =
                    new StringBuilder(t).append(" rank ").append(dims.length).append(" [");
            for (int i = 0; i < dims.length; i++) {
                sb.append(i > 0 ? ", " : "").append(dims[i] < 0 ? "*" : Long.toString(dims[i]));
            }
            return sb.append(']').toString();
        }
    }

    public static final Set<ElementType> FLOATS = Set.of(ElementType.FLOAT, ElementType.FLOAT16);

    private final String file;
    private final Map<String, Expected> inputs = new LinkedHashMap<>();
    private final Map<String, Expected> outputs = new LinkedHashMap<>();
    private boolean extraInputsAllowed;

    public GraphContract(String file) {
        this.file = file;
    }

    public String file() {
        return file;
    }

    public GraphContract input(String name, Set<ElementType> types, long... dims) {
        inputs.put(name, new Expected(name, types, dims, false));
        return this;
    }

    public GraphContract optionalInput(String name, Set<ElementType> types, long... dims) {
        inputs.put(name, new Expected(name, types, dims, true));
        return this;
    }

    public GraphContract output(String name, Set<ElementType> types, long... dims) {
        outputs.put(name, new Expected(name, types, dims, false));
        return this;
    }

    /**
     * Required inputs the contract does not list are an error unless allowed. ONNX Runtime reports only inputs
     * without an initializer; overridable initializers (the LoRA weights) are not among them.
     */
    public GraphContract allowExtraInputs() {
        extraInputsAllowed = true;
        return this;
    }

    public void check(List<TensorInfo> actualInputs, List<TensorInfo> actualOutputs) {
        checkSide("input", inputs, actualInputs);
        checkSide("output", outputs, actualOutputs);
        if (!extraInputsAllowed) {
            List<String> extra = new ArrayList<>();
            for (TensorInfo t : actualInputs) {
                if (!inputs.containsKey(t.name())) {
                    extra.add(t.toString());
                }
            }
            if (!extra.isEmpty()) {
                throw new ModelFormatException(file + ": unexpected required input(s) " + extra + "; expected only "
                        + inputs.keySet() + " (names come from genai_config.json)");
            }
        }
    }

    private void checkSide(String side, Map<String, Expected> expected, List<TensorInfo> actual) {
        Map<String, TensorInfo> byName = new LinkedHashMap<>();
        actual.forEach(t -> byName.put(t.name(), t));
        for (Expected e : expected.values()) {
            TensorInfo t = byName.get(e.name());
            if (t == null) {
                if (e.optional()) {
                    continue;
                }
                throw new ModelFormatException(file + ": " + side + " '" + e.name() + "': expected " + e.describe()
                        + ", found no such " + side + "; the graph's " + side + "s are " + byName.keySet());
            }
            boolean typeOk = ElementType.fromOnnxCode(t.onnxType())
                    .map(e.types()::contains)
                    .orElse(false);
            if (!typeOk || t.rank() != e.dims().length || !dimsCompatible(e.dims(), t.shape())) {
                throw new ModelFormatException(file + ": " + side + " '" + e.name() + "': expected " + e.describe()
                        + ", found " + t.typeLabel() + " rank " + t.rank() + " " + t.shapeLabel());
            }
        }
    }

    private static boolean dimsCompatible(long[] expected, long[] actual) {
        for (int i = 0; i < expected.length; i++) {
            if (expected[i] >= 0 && actual[i] >= 0 && expected[i] != actual[i]) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return file + " inputs " + inputs.keySet() + " outputs " + outputs.keySet();
    }
}
