package dev.phi4ee.samples.cli;

import dev.phi4ee.core.api.EngineOptions;
import dev.phi4ee.core.api.InvalidInputException;
import dev.phi4ee.core.api.Media;
import dev.phi4ee.core.api.TensorFloatType;
import dev.phi4ee.core.vision.DynamicHdPlan;
import dev.phi4ee.core.vision.ImagePreprocessor;
import dev.phi4ee.core.vision.RgbImage;
import dev.phi4ee.core.vision.VisionInputs;
import dev.phi4ee.core.vision.VisionProcessorConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code phi4 preprocess-image --out DIR FILE...}: the vision inputs of the given images and documents as NumPy
 * files, for comparison with the Python reference processor.
 */
@Command(
        name = "preprocess-image",
        mixinStandardHelpOptions = true,
        description = {
            "Decodes images/PDFs (format sniffed from the bytes) and writes the Phi-4 vision inputs to DIR:",
            "pixel_values.npy (float32 [B, C, 3, 448, 448]), image_sizes.npy (int64 [B, 2]),",
            "image_attention_mask.npy (float32 [B, C, 32, 32]) and num_img_tokens.json.",
            "Every PDF or multi-page TIFF page is one image of the batch."
        })
public final class PreprocessImageCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output directory (created).")
    Path out;

    @Option(
            names = "--dynamic-hd",
            paramLabel = "N",
            defaultValue = "36",
            description = "Most HD crops per image (dynamic_hd of vision_processor.json). Default: ${DEFAULT-VALUE}.")
    int dynamicHd;

    @Option(
            names = "--dpi",
            paramLabel = "N",
            defaultValue = "200",
            description = "PDF rendering resolution. Default: ${DEFAULT-VALUE}.")
    int dpi;

    @Option(
            names = "--max-pixels",
            paramLabel = "N",
            defaultValue = "100000000",
            description = "Pixel budget per image or page, checked from the header. Default: ${DEFAULT-VALUE}.")
    long maxPixels;

    @Option(
            names = "--max-pages",
            paramLabel = "N",
            defaultValue = "20",
            description = "Most pages per document. Default: ${DEFAULT-VALUE}.")
    int maxPages;

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "Images (JPEG, PNG, GIF, BMP, TIFF, WebP) or PDFs.")
    List<Path> files;

    @Override
    public Integer call() throws IOException {
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter stderr = spec.commandLine().getErr();
        ImagePreprocessor pre;
        try {
            EngineOptions limits = EngineOptions.builder()
                    .maxImagePixels(maxPixels)
                    .maxDocumentPages(maxPages)
                    .documentDpi(dpi)
                    .build();
            pre = ImagePreprocessor.of(VisionProcessorConfig.defaults().withDynamicHd(dynamicHd), limits);
        } catch (IllegalArgumentException e) {
            stderr.println("error: " + e.getMessage());
            return 2;
        }
        List<RgbImage> images = new ArrayList<>();
        try {
            for (Path f : files) {
                if (!Files.isRegularFile(f)) {
                    stderr.println("error: " + f + ": no such file");
                    return 2;
                }
                List<RgbImage> pages = pre.decode(Media.of(f));
                for (int i = 0; i < pages.size(); i++) {
                    RgbImage p = pages.get(i);
                    DynamicHdPlan plan = pre.plan(p.width(), p.height());
                    stdout.printf(
                            "%s%s: %d×%d → grid %d×%d, %d crops, %d tokens%n",
                            f.getFileName(),
                            pages.size() > 1 ? " page " + (i + 1) : "",
                            p.width(),
                            p.height(),
                            plan.gridColumns(),
                            plan.gridRows(),
                            plan.crops(),
                            plan.numImageTokens());
                }
                images.addAll(pages);
            }
            Files.createDirectories(out);
            try (VisionInputs in = pre.preprocess(images, TensorFloatType.FLOAT32)) {
                NpyWriter.writeFloat32(out.resolve("pixel_values.npy"), in.pixelValuesShape(), in.pixelValues());
                NpyWriter.writeInt64(out.resolve("image_sizes.npy"), in.imageSizesShape(), in.imageSizes());
                NpyWriter.writeFloat32(
                        out.resolve("image_attention_mask.npy"), in.imageAttentionMaskShape(), in.imageAttentionMask());
                String tokens = Arrays.stream(in.numImageTokens())
                        .mapToObj(Integer::toString)
                        .collect(Collectors.joining(", ", "[", "]"));
                Files.writeString(out.resolve("num_img_tokens.json"), tokens + "\n");
                stdout.printf(
                        "wrote %s: pixel_values %s, num_img_tokens %s%n",
                        out, Arrays.toString(in.pixelValuesShape()), tokens);
            }
            return 0;
        } catch (InvalidInputException e) {
            stderr.println("error: " + e.getMessage());
            return 1;
        }
    }
}
