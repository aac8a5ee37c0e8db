package dev.phi4ee.core.testkit;

import dev.phi4ee.core.model.onnx.Onnx.TensorProto.DataType;

/**
 * {@code phi-4-mm-speech.onnx} (reference §3.2): row t of clip i averages masked frames 8t…8t+7 (the 8× time
 * compression, §8.9), goes through a seeded projection chosen by {@code audio_projection_mode} (2 = speech, otherwise
 * vision-speech, §5.2) plus a position term; the first {@code audio_sizes[i]} rows of each clip are concatenated.
 */
final class SpeechGraph {
    static final String FILENAME = "phi-4-mm-speech.onnx";
    static final int MELS = 80;
    static final int COMPRESSION = 8;
    static final long SPEECH_MODE = 2;

    private SpeechGraph() {}

    static OnnxGraphBuilder build(TestModelSpec spec, SeededWeights weights) {
        OnnxGraphBuilder g = new OnnxGraphBuilder("phi4mm_speech");
        GraphOps ops = new GraphOps(g, spec.floatType());
        int hidden = spec.hidden();
        g.input("audio_embeds", ops.io, "num_audios", "num_frames", MELS);
        g.input("audio_attention_mask", DataType.BOOL, "num_audios", "num_frames");
        g.input("audio_sizes", DataType.INT64, "num_audios");
        g.input("audio_projection_mode", DataType.INT64, 1);
        g.output("audio_features", ops.io, "num_audio_tokens", hidden);

        String valid = ops.unsqueeze(ops.cast("audio_attention_mask", DataType.FLOAT), 2);
        String frames = g.op("Mul", ops.toCompute("audio_embeds"), valid);
        String eight = g.scalarInt64(COMPRESSION);
        String padLength = g.op("Mod", g.op("Sub", eight, g.op("Mod", ops.dim(frames, 1), eight)), eight);
        String pads = g.node("Concat")
                .in(g.constInt64(0, 0, 0, 0), ops.unsqueeze(padLength, 0), g.constInt64(0))
                .attr("axis", 0L)
                .out();
        String padded = g.op("Pad", frames, pads);
        String grouped = g.op("Reshape", padded, g.constInt64(0, -1, COMPRESSION, MELS)); // [A, U, 8, 80]
        String compressed = g.node("ReduceMean")
                .in(grouped)
                .attr("axes", new long[] {2})
                .attr("keepdims", 0L)
                .out(); // [A, U, 80]
        String units = ops.dim(compressed, 1);

        // Log-mel values are O(10): scale so the projection is not saturated.
        double std = 0.3 / Math.sqrt(MELS);
        String speech = g.initializer(
                "speech.projection.speech.weight",
                DataType.FLOAT,
                new long[] {MELS, hidden},
                weights.normal("speech.projection.speech", MELS * hidden, 0, std));
        String visionSpeech = g.initializer(
                "speech.projection.vision.weight",
                DataType.FLOAT,
                new long[] {MELS, hidden},
                weights.normal("speech.projection.vision", MELS * hidden, 0, std));
        String isSpeech = g.op("Equal", "audio_projection_mode", g.scalarInt64(SPEECH_MODE));
        String projection = g.op("Where", isSpeech, speech, visionSpeech);
        String projected = g.op("Reshape", g.op("MatMul", compressed, projection), g.constInt64(-1, hidden));

        String[] rows = ops.raggedRows("audio_sizes");
        String flatIndex = g.op("Add", g.op("Mul", rows[0], units), rows[1]);
        String perRow =
                g.node("Gather").in(projected, flatIndex).attr("axis", 0L).out();
        String features = g.op("Tanh", g.op("Add", perRow, ops.positionTerm(rows[1], weights, "speech", hidden)));
        ops.toIo(features, "audio_features");
        return g;
    }
}
