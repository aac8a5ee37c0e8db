package dev.phi4ee.core.testkit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/** The JSON files of a Phi-4-shaped model directory: genai_config.json, config.json, processor configs (§2.2–2.3). */
final class ModelConfigFiles {
    static final String VISION_PROCESSOR = "vision_processor.json";
    static final String SPEECH_PROCESSOR = "speech_processor.json";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private ModelConfigFiles() {}

    static void write(Path dir, TestModelSpec spec) {
        save(dir.resolve("genai_config.json"), genaiConfig(spec));
        if (spec.writeHfConfig()) {
            save(dir.resolve("config.json"), hfConfig(spec));
        }
        if (spec.includeVision()) {
            save(dir.resolve(VISION_PROCESSOR), visionProcessor());
        }
        if (spec.includeSpeech()) {
            save(dir.resolve(SPEECH_PROCESSOR), speechProcessor());
        }
    }

    /** onnxruntime-genai config in the release's layout (§2.2), with the test model's sizes. */
    static ObjectNode genaiConfig(TestModelSpec spec) {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode model = root.putObject("model");
        model.put("bos_token_id", Phi4Ids.BOS);
        model.put("context_length", spec.contextLength());

        ObjectNode decoder = model.putObject("decoder");
        ObjectNode sessionOptions = decoder.putObject("session_options");
        sessionOptions.put("log_id", "onnxruntime-genai");
        sessionOptions.putArray("provider_options");
        decoder.put("filename", TextGraph.FILENAME);
        decoder.put("head_size", spec.headSize());
        decoder.put("hidden_size", spec.hidden());
        decoder.put("num_attention_heads", spec.heads());
        decoder.put("num_hidden_layers", spec.layers());
        decoder.put("num_key_value_heads", spec.kvHeads());
        ObjectNode decoderIn = decoder.putObject("inputs");
        decoderIn.put("inputs_embeds", "inputs_embeds");
        decoderIn.put("attention_mask", "attention_mask");
        decoderIn.put("past_key_names", "past_key_values.%d.key");
        decoderIn.put("past_value_names", "past_key_values.%d.value");
        ObjectNode decoderOut = decoder.putObject("outputs");
        decoderOut.put("logits", "logits");
        decoderOut.put("present_key_names", "present.%d.key");
        decoderOut.put("present_value_names", "present.%d.value");

        if (spec.includeVision()) {
            ObjectNode vision = model.putObject("vision");
            vision.put("filename", VisionGraph.FILENAME);
            vision.put("config_filename", VISION_PROCESSOR);
            if (spec.writeAdapters()) {
                vision.put("adapter_filename", LoraAdapters.VISION_FILE);
            }
            ObjectNode in = vision.putObject("inputs");
            in.put("pixel_values", "pixel_values");
            in.put("attention_mask", "image_attention_mask");
            in.put("image_sizes", "image_sizes");
            vision.putObject("outputs").put("image_features", "image_features");
        }
        if (spec.includeSpeech()) {
            ObjectNode speech = model.putObject("speech");
            speech.put("filename", SpeechGraph.FILENAME);
            speech.put("config_filename", SPEECH_PROCESSOR);
            if (spec.writeAdapters()) {
                speech.put("adapter_filename", LoraAdapters.SPEECH_FILE);
            }
            ObjectNode in = speech.putObject("inputs");
            in.put("audio_embeds", "audio_embeds");
            in.put("attention_mask", "audio_attention_mask");
            in.put("audio_sizes", "audio_sizes");
            in.put("audio_projection_mode", "audio_projection_mode");
            speech.putObject("outputs").put("audio_features", "audio_features");
        }
        ObjectNode embedding = model.putObject("embedding");
        embedding.put("filename", EmbeddingGraph.FILENAME);
        ObjectNode embeddingIn = embedding.putObject("inputs");
        embeddingIn.put("input_ids", "input_ids");
        embeddingIn.put("image_features", "image_features");
        embeddingIn.put("audio_features", "audio_features");
        embedding.putObject("outputs").put("inputs_embeds", "inputs_embeds");

        ArrayNode eos = model.putArray("eos_token_id");
        for (int id : Phi4Ids.EOS) {
            eos.add(id);
        }
        model.put("pad_token_id", Phi4Ids.PAD);
        model.put("type", "phi4mm");
        model.put("vocab_size", Phi4Ids.VOCAB_SIZE);

        ObjectNode search = root.putObject("search");
        search.put("diversity_penalty", 0.0);
        search.put("do_sample", false);
        search.put("early_stopping", true);
        search.put("length_penalty", 1.0);
        search.put("max_length", spec.maxLength());
        search.put("min_length", 0);
        search.put("no_repeat_ngram_size", 0);
        search.put("num_beams", 1);
        search.put("num_return_sequences", 1);
        search.put("past_present_share_buffer", spec.pastPresentShareBuffer());
        search.put("repetition_penalty", 1.0);
        search.put("temperature", 1.0);
        search.put("top_k", 1);
        search.put("top_p", 1.0);
        return root;
    }

    /**
     * Hugging Face style config.json: carries what genai_config.json lacks but the engine needs — the LongRoPE
     * threshold {@code original_max_position_embeddings} (§4.4) and the placeholder ids (§9).
     */
    static ObjectNode hfConfig(TestModelSpec spec) {
        ObjectNode c = JSON.createObjectNode();
        c.putArray("architectures").add("Phi4MMForCausalLM");
        c.put("model_type", "phi4mm");
        c.put("hidden_size", spec.hidden());
        c.put("intermediate_size", spec.intermediate());
        c.put("num_hidden_layers", spec.layers());
        c.put("num_attention_heads", spec.heads());
        c.put("num_key_value_heads", spec.kvHeads());
        c.put("vocab_size", Phi4Ids.VOCAB_SIZE);
        c.put("max_position_embeddings", spec.contextLength());
        c.put("original_max_position_embeddings", spec.originalMaxPositionEmbeddings());
        c.put("partial_rotary_factor", (double) spec.rotaryDim() / spec.headSize());
        c.put("rope_theta", TextGraph.ROPE_THETA);
        ObjectNode rope = c.putObject("rope_scaling");
        rope.put("type", "longrope");
        ArrayNode shortFactor = rope.putArray("short_factor");
        for (double f : TextGraph.shortFactors(spec.rotaryDim() / 2)) {
            shortFactor.add(f);
        }
        ArrayNode longFactor = rope.putArray("long_factor");
        for (double f : TextGraph.longFactors(spec.rotaryDim() / 2)) {
            longFactor.add(f);
        }
        c.put("rms_norm_eps", 1e-5);
        c.put("sliding_window", spec.contextLength());
        c.put("tie_word_embeddings", false);
        c.put("bos_token_id", Phi4Ids.BOS);
        c.put("eos_token_id", Phi4Ids.ENDOFTEXT);
        c.put("pad_token_id", Phi4Ids.PAD);
        c.put("image_token_id", Phi4Ids.IMAGE_TOKEN);
        c.put("audio_token_id", Phi4Ids.AUDIO_TOKEN);
        c.put("torch_dtype", spec.floatType() == TestModelSpec.FloatType.FP16 ? "float16" : "float32");
        return c;
    }

    /** The release's vision_processor.json content (§2.3). */
    static ObjectNode visionProcessor() {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode processor = root.putObject("processor");
        processor.put("name", "phi_4_vision_processor");
        ArrayNode transforms = processor.putArray("transforms");
        operation(transforms, "decode_image", "DecodeImage").putObject("attrs").put("color_space", "RGB");
        ObjectNode dynamic = operation(transforms, "phi4_vision_dynamic_preprocess", "Phi4VisionDynamicPreprocess")
                .putObject("attrs");
        dynamic.put("dynamic_hd", 36);
        dynamic.put("dyhd_base_resolution", 448);
        operation(transforms, "rescale", "Rescale").putArray("inputs").add(":0");
        ObjectNode normalize = operation(transforms, "normalize", "Normalize").putObject("attrs");
        normalize.putArray("mean").add(0.5).add(0.5).add(0.5);
        normalize.putArray("std").add(0.5).add(0.5).add(0.5);
        ObjectNode vp = operation(transforms, "phi4_vision_processor", "Phi4VisionProcessor");
        vp.putArray("inputs").add(":0").add("phi4_vision_dynamic_preprocess:1");
        ObjectNode vpAttrs = vp.putObject("attrs");
        vpAttrs.put("dyhd_base_resolution", 448);
        vpAttrs.put("interpolation", "CUBIC");
        processor.put("output_aligner", "phi4-vision-aligner");
        return root;
    }

    /** The release's speech_processor.json content (§2.3). */
    static ObjectNode speechProcessor() {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode extraction = root.putObject("feature_extraction");
        ArrayNode sequence = extraction.putArray("sequence");
        operation(sequence, "audio_decoder", "AudioDecoderEx")
                .putObject("attrs")
                .putArray("target_sample_rates")
                .add(8000)
                .add(16000);
        ObjectNode a =
                operation(sequence, "phi_4_audio_embed", "Phi4AudioEmbed").putObject("attrs");
        a.put("audio_compression_rate", 8);
        a.put("stft_normal/n_fft", 512);
        a.put("stft_normal/frame_length", 400);
        a.put("stft_normal/hop_length", 160);
        a.put("stft_normal/win_fn", "hamming");
        a.put("logmel/chunk_size", 30);
        a.put("logmel/hop_length", 160);
        a.put("logmel/n_fft", 512);
        a.put("logmel/n_mel", 80);
        a.put("logmel/feature_first", 0);
        a.put("logmel/no_padding", 1);
        a.put("stft_normal_8k/n_fft", 256);
        a.put("stft_normal_8k/frame_length", 200);
        a.put("stft_normal_8k/hop_length", 80);
        a.put("stft_normal_8k/win_fn", "hamming");
        a.put("logmel_8k/chunk_size", 30);
        a.put("logmel_8k/hop_length", 80);
        a.put("logmel_8k/n_fft", 512);
        a.put("logmel_8k/n_mel", 80);
        a.put("logmel_8k/feature_first", 0);
        a.put("logmel_8k/no_padding", 1);
        extraction.put("output_aligner", "phi4-audio-aligner");
        return root;
    }

    private static ObjectNode operation(ArrayNode list, String name, String type) {
        ObjectNode op = list.addObject().putObject("operation");
        op.put("name", name);
        op.put("type", type);
        return op;
    }

    private static void save(Path file, ObjectNode json) {
        try {
            JSON.writeValue(file.toFile(), json);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
