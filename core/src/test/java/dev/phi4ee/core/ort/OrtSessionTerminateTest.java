package dev.phi4ee.core.ort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.phi4ee.core.model.onnx.Onnx.GraphProto;
import dev.phi4ee.core.model.onnx.Onnx.ModelProto;
import dev.phi4ee.core.model.onnx.Onnx.NodeProto;
import dev.phi4ee.core.model.onnx.Onnx.OperatorSetIdProto;
import dev.phi4ee.core.model.onnx.Onnx.TypeProto;
import dev.phi4ee.core.model.onnx.Onnx.ValueInfoProto;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@link OrtSession#terminate()} ends a run in progress on another thread (ONNX Runtime checks the run options'
 * terminate flag between kernels), which engine shutdown relies on before it frees the session.
 */
class OrtSessionTerminateTest {
    /** Sin applied this many times to 2^20 floats: several seconds of work on one thread, one kernel at a time. */
    private static final int NODES = 4000;

    private static final int ELEMENTS = 1 << 20;

    @Test
    void terminateEndsTheRunInProgressAndEveryLaterRun() throws Exception {
        try (OrtSession s = OrtSession.open(
                        Path.of("slow-chain.onnx"),
                        slowChain(),
                        new SessionSettings("cpu", true, 1, SessionSettings.Optimization.DISABLED));
                Tensor x = Tensor.allocate(ElementType.FLOAT, ELEMENTS);
                Tensor y = Tensor.allocate(ElementType.FLOAT, ELEMENTS);
                Binding b = s.newBinding()) {
            b.input("x", x).output("y", y);
            CompletableFuture<Long> run = CompletableFuture.supplyAsync(() -> {
                long start = System.nanoTime();
                s.run(b);
                return System.nanoTime() - start;
            });
            try {
                Thread.sleep(500); // the run is inside ONNX Runtime by now (it takes seconds)
                long terminated = System.nanoTime();
                s.terminate();

                assertThatThrownBy(() -> run.get(5, TimeUnit.SECONDS))
                        .as("the run in progress ends with OrtTerminated, not after its thousands of nodes")
                        .hasCauseInstanceOf(OrtTerminated.class);
                assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - terminated))
                        .isLessThan(5000);
                assertThatThrownBy(() -> s.run(b)).isInstanceOf(OrtTerminated.class);
            } finally {
                run.handle((t, e) -> null).join(); // never free the session under a running call
            }
        }
    }

    @Test
    void terminateAfterCloseIsHarmless() {
        OrtSession s =
                OrtSession.open(TinyGraphs.doubling(Path.of("target"), ElementType.FLOAT), SessionSettings.cpu(1));
        s.close();
        s.terminate();
    }

    private static byte[] slowChain() {
        GraphProto.Builder g = GraphProto.newBuilder()
                .setName("slow_chain")
                .addInput(value("x"))
                .addOutput(value("y"));
        String previous = "x";
        for (int i = 0; i < NODES; i++) {
            String out = i == NODES - 1 ? "y" : "t" + i;
            g.addNode(NodeProto.newBuilder().setOpType("Sin").addInput(previous).addOutput(out));
            previous = out;
        }
        return ModelProto.newBuilder()
                .setIrVersion(8)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(17))
                .setGraph(g)
                .build()
                .toByteArray();
    }

    private static ValueInfoProto value(String name) {
        return ValueInfoProto.newBuilder()
                .setName(name)
                .setType(TypeProto.newBuilder()
                        .setTensorType(TypeProto.Tensor.newBuilder().setElemType(ElementType.FLOAT.onnxCode())))
                .build();
    }
}
