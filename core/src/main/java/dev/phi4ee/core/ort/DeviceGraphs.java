package dev.phi4ee.core.ort;

import dev.phi4ee.core.model.onnx.Onnx.AttributeProto;
import dev.phi4ee.core.model.onnx.Onnx.GraphProto;
import dev.phi4ee.core.model.onnx.Onnx.ModelProto;
import dev.phi4ee.core.model.onnx.Onnx.NodeProto;
import dev.phi4ee.core.model.onnx.Onnx.OperatorSetIdProto;
import dev.phi4ee.core.model.onnx.Onnx.TypeProto;
import dev.phi4ee.core.model.onnx.Onnx.ValueInfoProto;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The data moves of a device {@link Placement}, each a one-node-per-tensor ONNX graph built in memory and run on the
 * placement's provider with every input and output bound by IoBinding, so the provider's own kernels copy device to
 * device and ONNX Runtime copies device to host only for outputs bound in host memory:
 *
 * <ul>
 *   <li>copy: {@code y_i = Concat(x_i)} (one input: a plain copy that, unlike {@code Identity}, is never aliased to
 *       its input by the runtime's planner);
 *   <li>concat: {@code y = Concat(x_0, …, x_k; axis)};
 *   <li>last position: {@code y = Gather(logits, [S − 1]; axis = 1)}.
 * </ul>
 *
 * Inputs have an element type and no shape, so one session serves every shape; sessions are created on first use,
 * one per (move, element type, arity), with graph optimisations off (nothing to optimise, nothing to elide).
 */
final class DeviceGraphs implements AutoCloseable {
    private static final int OPSET = 17;
    private static final int IR_VERSION = 8;

    private final String executionProvider;
    private final Map<String, OrtSession> sessions = new HashMap<>();
    private Tensor index;

    DeviceGraphs(String executionProvider) {
        this.executionProvider = executionProvider;
    }

    void copy(List<Tensor> from, List<Tensor> to) {
        ElementType type = from.get(0).type();
        boolean sameType = from.stream().allMatch(t -> t.type() == type);
        if (!sameType) {
            for (int i = 0; i < from.size(); i++) {
                copy(List.of(from.get(i)), List.of(to.get(i)));
            }
            return;
        }
        int n = from.size();
        OrtSession s = session("copy-" + type.label() + "-" + n, () -> {
            GraphProto.Builder g = GraphProto.newBuilder().setName("copy");
            for (int i = 0; i < n; i++) {
                g.addInput(value("x" + i, type)).addOutput(value("y" + i, type)).addNode(concat(0, "y" + i, "x" + i));
            }
            return g;
        });
        try (Binding b = s.newBinding()) {
            for (int i = 0; i < n; i++) {
                b.input("x" + i, from.get(i)).output("y" + i, to.get(i));
            }
            s.run(b);
        }
    }

    void concat(Tensor into, int axis, List<Tensor> parts) {
        ElementType type = into.type();
        int n = parts.size();
        OrtSession s = session("concat-" + type.label() + "-" + n + "-" + axis, () -> {
            GraphProto.Builder g = GraphProto.newBuilder().setName("concat").addOutput(value("y", type));
            String[] inputs = new String[n];
            for (int i = 0; i < n; i++) {
                inputs[i] = "x" + i;
                g.addInput(value(inputs[i], type));
            }
            return g.addNode(concat(axis, "y", inputs));
        });
        try (Binding b = s.newBinding()) {
            for (int i = 0; i < n; i++) {
                b.input("x" + i, parts.get(i));
            }
            b.output("y", into);
            s.run(b);
        }
    }

    void lastPosition(Tensor logits, Tensor into) {
        ElementType type = logits.type();
        OrtSession s = session("last-position-" + type.label(), () -> GraphProto.newBuilder()
                .setName("last_position")
                .addInput(value("logits", type))
                .addInput(value("index", ElementType.INT64))
                .addOutput(value("y", type))
                .addNode(NodeProto.newBuilder()
                        .setOpType("Gather")
                        .addInput("logits")
                        .addInput("index")
                        .addOutput("y")
                        .addAttribute(intAttribute("axis", 1))));
        if (index == null) {
            index = Tensor.allocate(ElementType.INT64, 1);
        }
        index.putLong(0, logits.dim(1) - 1);
        try (Binding b = s.newBinding()) {
            b.input("logits", logits).input("index", index).output("y", into);
            s.run(b);
        }
    }

    private OrtSession session(String name, Supplier<GraphProto.Builder> graph) {
        OrtSession s = sessions.get(name);
        if (s == null) {
            byte[] model = ModelProto.newBuilder()
                    .setIrVersion(IR_VERSION)
                    .setProducerName("phi4ee")
                    .addOpsetImport(
                            OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
                    .setGraph(graph.get())
                    .build()
                    .toByteArray();
            SessionSettings settings =
                    new SessionSettings(executionProvider, true, 1, SessionSettings.Optimization.DISABLED);
            s = OrtSession.open(Path.of(name + ".onnx"), model, settings);
            sessions.put(name, s);
        }
        return s;
    }

    private static NodeProto concat(int axis, String output, String... inputs) {
        NodeProto.Builder n = NodeProto.newBuilder().setOpType("Concat").addOutput(output);
        for (String in : inputs) {
            n.addInput(in);
        }
        return n.addAttribute(intAttribute("axis", axis)).build();
    }

    private static AttributeProto intAttribute(String name, long value) {
        return AttributeProto.newBuilder()
                .setName(name)
                .setType(AttributeProto.AttributeType.INT)
                .setI(value)
                .build();
    }

    private static ValueInfoProto value(String name, ElementType type) {
        return ValueInfoProto.newBuilder()
                .setName(name)
                .setType(TypeProto.newBuilder()
                        .setTensorType(TypeProto.Tensor.newBuilder().setElemType(type.onnxCode())))
                .build();
    }

    @Override
    public void close() {
        sessions.values().forEach(OrtSession::close);
        sessions.clear();
        if (index != null) {
            index.close();
            index = null;
        }
    }
}
