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
            CompletableFuture<Thread> runner = new CompletableFuture<>();
            CompletableFuture<Void> run = CompletableFuture.runAsync(() -> {
                runner.complete(Thread.currentThread());
                s.run(b);
            });
            try {
                // Terminate only once the run is inside ONNX Runtime: its thread's innermost frame is the native
                // RunWithBinding. No sleep: a slow machine cannot terminate it before it starts.
                awaitInNativeRun(runner.get(60, TimeUnit.SECONDS), run);
                s.terminate();

                assertThatThrownBy(() -> run.get(60, TimeUnit.SECONDS))
                        .as("the run in progress ends with OrtTerminated, not after its thousands of nodes")
                        .hasCauseInstanceOf(OrtTerminated.class)
                        .cause()
                        .as("ended by ONNX Runtime's terminate flag, not refused before it started")
                        .hasMessageNotContaining("the session was terminated");
                assertThatThrownBy(() -> s.run(b))
                        .isInstanceOf(OrtTerminated.class)
                        .hasMessageContaining("the session was terminated");
            } finally {
                run.handle((t, e) -> null).join(); // never free the session under a running call
            }
        }
    }

    /** Waits until {@code thread} runs the native RunWithBinding (fails if the run ends first). */
    private static void awaitInNativeRun(Thread thread, CompletableFuture<?> run) {
        while (true) {
            StackTraceElement[] stack = thread.getStackTrace();
            if (stack.length > 0
                    && stack[0].isNativeMethod()
                    && stack[0].getMethodName().equals("RunWithBinding")) {
                return;
            }
            assertThat(run)
                    .as("the run ended before it was seen inside ONNX Runtime")
                    .isNotDone();
            Thread.onSpinWait();
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
