package dev.phi4ee.benchmarks;

import dev.phi4ee.core.api.Media;
import dev.phi4ee.core.api.TensorFloatType;
import dev.phi4ee.core.vision.ImagePreprocessor;
import dev.phi4ee.core.vision.RgbImage;
import dev.phi4ee.core.vision.VisionInputs;
import dev.phi4ee.core.vision.VisionProcessorConfig;
import java.awt.Color;
import java.awt.Font;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;

/**
 * Image preprocessing cost (decode + dynamic-HD + fp16 tensors) of a 1920×1080 photo JPEG (grid 5×3, 16 crops)
 * and a 300-DPI A4 scan, 2480×3508 grey JPEG (search branch, grid 5×7, 36 crops); single-threaded time and
 * throughput of one shared preprocessor on 2 threads.
 *
 * <pre>java -jar benchmarks/target/benchmarks.jar ImagePreprocessBenchmark -f 1 -wi 2 -i 3 -w 2s -r 3s</pre>
 */
@State(Scope.Benchmark)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class ImagePreprocessBenchmark {

    @Param({"photo-1920x1080-jpeg", "scan-a4-300dpi-jpeg"})
    public String input;

    private ImagePreprocessor preprocessor;
    private Media media;
    private List<RgbImage> decoded;

    @Setup
    public void setUp() throws IOException {
        preprocessor = new ImagePreprocessor(VisionProcessorConfig.defaults(), 100_000_000, 20, 200);
        BufferedImage img = input.startsWith("photo") ? photo(1920, 1080) : scan(2480, 3508);
        media = new Media(jpeg(img, 0.9f), null, input);
        decoded = preprocessor.decode(media);
    }

    /** Bytes to tensors, one thread: latency of one image. */
    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @Threads(1)
    public long decodeAndPreprocess() {
        return run(preprocessor.decode(media));
    }

    /** Decoded pixels to tensors, one thread: the resize/crop/normalise share of the time. */
    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @Threads(1)
    public long preprocessOnly() {
        return run(decoded);
    }

    /** Bytes to tensors on 2 threads sharing one preprocessor (and its buffer pool). */
    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @Threads(2)
    public long decodeAndPreprocessTwoThreads() {
        return run(preprocessor.decode(media));
    }

    private long run(List<RgbImage> pages) {
        try (VisionInputs in = preprocessor.preprocess(pages, TensorFloatType.FLOAT16)) {
            return in.totalImageTokens() + in.pixelValues().getShort(12345);
        }
    }

    static BufferedImage photo(int w, int h) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setPaint(new GradientPaint(0, 0, new Color(20, 80, 160), w, h, new Color(240, 200, 90)));
        g.fillRect(0, 0, w, h);
        SplittableRandom rnd = new SplittableRandom(42);
        for (int i = 0; i < 400; i++) {
            g.setColor(new Color(rnd.nextInt(256), rnd.nextInt(256), rnd.nextInt(256), 160));
            g.fillOval(rnd.nextInt(w), rnd.nextInt(h), 20 + rnd.nextInt(200), 20 + rnd.nextInt(200));
        }
        g.dispose();
        addNoise(img, rnd, 12);
        return img;
    }

    static BufferedImage scan(int w, int h) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(new Color(245, 245, 240));
        g.fillRect(0, 0, w, h);
        g.setColor(Color.DARK_GRAY);
        g.setFont(new Font(Font.SERIF, Font.PLAIN, 42)); // ~10 pt at 300 DPI
        for (int line = 0, y = 300; y < h - 300; line++, y += 60) {
            g.drawString("Line " + line + ": The supplier shall deliver the goods described in Annex A.", 250, y);
        }
        g.dispose();
        addNoise(img, new SplittableRandom(7), 10);
        return img;
    }

    private static void addNoise(BufferedImage img, SplittableRandom rnd, int amplitude) {
        var r = img.getRaster();
        int[] px = new int[r.getNumBands()];
        for (int y = 0; y < img.getHeight(); y += 1) {
            for (int x = 0; x < img.getWidth(); x += 3) {
                r.getPixel(x, y, px);
                for (int b = 0; b < px.length; b++) {
                    px[b] = Math.max(0, Math.min(255, px[b] + rnd.nextInt(2 * amplitude + 1) - amplitude));
                }
                r.setPixel(x, y, px);
            }
        }
    }

    static byte[] jpeg(BufferedImage img, float quality) throws IOException {
        ImageWriter w = ImageIO.getImageWritersByFormatName("jpeg").next();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ImageOutputStream ios = ImageIO.createImageOutputStream(out)) {
            w.setOutput(ios);
            ImageWriteParam p = w.getDefaultWriteParam();
            p.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            p.setCompressionQuality(quality);
            w.write(null, new IIOImage(img, null, null), p);
        } finally {
            w.dispose();
        }
        return out.toByteArray();
    }
}
