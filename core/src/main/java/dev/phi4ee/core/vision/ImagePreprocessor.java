package dev.phi4ee.core.vision;

import dev.phi4ee.core.api.EngineOptions;
import dev.phi4ee.core.api.InvalidInputException;
import dev.phi4ee.core.api.Media;
import dev.phi4ee.core.api.MediaFormat;
import dev.phi4ee.core.api.MediaKind;
import dev.phi4ee.core.api.MediaTooLargeException;
import dev.phi4ee.core.api.TensorFloatType;
import dev.phi4ee.core.api.UnsupportedMediaException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Photos, scans and documents to the vision graph's inputs, exactly as the reference prepares them (§7):
 * {@link #decode} turns media bytes into RGB pages, {@link #plan} does the integer dynamic-HD planning (for the
 * context-length check before any pixel work), {@link #preprocess} resizes, pads, normalises and crops a batch into
 * pooled direct buffers. Thread-safe; one instance serves the whole engine. An exception leaves nothing behind:
 * every plan is checked before a buffer is taken, and buffers taken are handed back when filling fails.
 */
public final class ImagePreprocessor {

    /** Direct memory kept for reuse between requests unless configured otherwise. */
    public static final long DEFAULT_POOL_BYTES = 512L << 20;

    private final VisionProcessorConfig config;
    private final long maxPixels;
    private final int maxDocumentPages;
    private final int documentDpi;
    private final float[][] lut;
    private final DirectBufferPool pool;
    private final RasterImageDecoder rasterDecoder;
    private final PdfPageRenderer pdfRenderer;

    /**
     * @param maxPixels decompression-bomb guard per image or page, checked from the header before decoding
     * @param maxDocumentPages most pages of a PDF or multi-page TIFF
     * @param documentDpi PDF rendering resolution
     */
    public ImagePreprocessor(VisionProcessorConfig config, long maxPixels, int maxDocumentPages, int documentDpi) {
        this(config, maxPixels, maxDocumentPages, documentDpi, DEFAULT_POOL_BYTES);
    }

    /** @param poolBytes most direct memory parked for reuse after {@link VisionInputs#close()} */
    public ImagePreprocessor(
            VisionProcessorConfig config, long maxPixels, int maxDocumentPages, int documentDpi, long poolBytes) {
        this(
                config,
                maxPixels,
                maxDocumentPages,
                documentDpi,
                poolBytes,
                EngineOptions.defaults().maxPageOperations(),
                EngineOptions.defaults().maxPageRenderTime());
    }

    /**
     * @param maxPageOperations most content-stream operators drawing one PDF page may run, forms included
     * @param maxPageRenderTime longest drawing of one PDF page
     */
    ImagePreprocessor(
            VisionProcessorConfig config,
            long maxPixels,
            int maxDocumentPages,
            int documentDpi,
            long poolBytes,
            long maxPageOperations,
            Duration maxPageRenderTime) {
        this.config = Objects.requireNonNull(config, "config");
        if (maxPixels < 1 || maxDocumentPages < 1 || documentDpi < 1) {
            throw new IllegalArgumentException("maxPixels, maxDocumentPages and documentDpi must be >= 1, were "
                    + maxPixels + ", " + maxDocumentPages + ", " + documentDpi);
        }
        this.maxPixels = maxPixels;
        this.maxDocumentPages = maxDocumentPages;
        this.documentDpi = documentDpi;
        this.lut = normalisationTables(config);
        this.pool = new DirectBufferPool(poolBytes);
        this.rasterDecoder = new RasterImageDecoder(maxPixels, maxDocumentPages);
        this.pdfRenderer = new PdfPageRenderer(
                documentDpi, maxPixels, maxDocumentPages, maxPageOperations, Objects.requireNonNull(maxPageRenderTime));
    }

    /**
     * With the limits of the engine options ({@code maxImagePixels}, {@code maxDocumentPages}, {@code documentDpi},
     * {@code maxPageOperations}, {@code maxPageRenderTime}).
     */
    public static ImagePreprocessor of(VisionProcessorConfig config, EngineOptions options) {
        return new ImagePreprocessor(
                config,
                options.maxImagePixels(),
                options.maxDocumentPages(),
                options.documentDpi(),
                DEFAULT_POOL_BYTES,
                options.maxPageOperations(),
                options.maxPageRenderTime());
    }

    public VisionProcessorConfig config() {
        return config;
    }

    public long maxPixels() {
        return maxPixels;
    }

    public int maxDocumentPages() {
        return maxDocumentPages;
    }

    public int documentDpi() {
        return documentDpi;
    }

    /** Direct memory parked in the buffer pool for reuse, at most the pool size (for memory accounting). */
    public long pooledBytes() {
        return pool.retainedBytes();
    }

    /**
     * Decodes media into RGB pages: one for an image, one per page for a PDF or multi-page TIFF. The format is
     * sniffed from the bytes (a declared MIME type or file name is not trusted).
     *
     * @throws UnsupportedMediaException unknown, non-image or encrypted input
     * @throws MediaTooLargeException over the pixel budget or page limit (checked before decoding)
     * @throws InvalidInputException empty, corrupt or truncated input
     */
    public List<RgbImage> decode(Media media) {
        MediaFormat format = sniff(media);
        byte[] data = media.data();
        String label = media.label();
        return format == MediaFormat.PDF ? pdfRenderer.render(data, label) : rasterDecoder.decode(data, format, label);
    }

    /**
     * The size of each image or page {@link #decode} would produce, from headers only (image headers, PDF page
     * boxes), with the same limits and errors; with {@link #plan} it gives the token count before any pixel is
     * decoded.
     */
    public List<PageSize> probe(Media media) {
        MediaFormat format = sniff(media);
        byte[] data = media.data();
        String label = media.label();
        return format == MediaFormat.PDF ? pdfRenderer.probe(data, label) : rasterDecoder.probe(data, format, label);
    }

    private static MediaFormat sniff(Media media) {
        Objects.requireNonNull(media, "media");
        byte[] data = media.data();
        String label = media.label();
        if (data.length == 0) {
            throw new InvalidInputException(label + ": the image data is empty (0 bytes)");
        }
        Optional<MediaFormat> sniffed = MediaFormat.sniff(data);
        if (sniffed.isEmpty()) {
            throw new UnsupportedMediaException(label + ": not a supported image or document format (expected "
                    + "JPEG, PNG, GIF, BMP, TIFF, WebP or PDF; the first bytes match none of them)");
        }
        MediaFormat format = sniffed.get();
        if (format.kind() == MediaKind.AUDIO) {
            throw new UnsupportedMediaException(label + ": this is " + format + " audio, not an image or document");
        }
        return format;
    }

    /** The integer dynamic-HD plan of a {@code width × height} image under this configuration. */
    public DynamicHdPlan plan(int width, int height) {
        return DynamicHdPlan.plan(width, height, config.dynamicHd());
    }

    /** {@link #preprocess(List, TensorFloatType, TensorFloatType)} with the mask in the pixels' float type. */
    public VisionInputs preprocess(List<RgbImage> images, TensorFloatType floatType) {
        return preprocess(images, floatType, floatType);
    }

    /**
     * Preprocesses a batch of images into pooled tensors: {@code pixel_values} in {@code floatType}, the
     * {@code image_attention_mask} in {@code maskType}. The caller owns the result and must
     * {@link VisionInputs#close() close} it to return the buffers.
     *
     * @throws InvalidInputException an image whose resize would be under 10 pixels on a side, or a batch too large
     *     for one tensor
     */
    public VisionInputs preprocess(List<RgbImage> images, TensorFloatType floatType, TensorFloatType maskType) {
        Objects.requireNonNull(floatType, "floatType");
        Objects.requireNonNull(maskType, "maskType");
        if (images == null || images.isEmpty()) {
            throw new InvalidInputException("no images to preprocess");
        }
        List<DynamicHdPlan> plans = new ArrayList<>(images.size());
        int maxCrops = 0;
        for (RgbImage img : images) {
            DynamicHdPlan p = plan(img.width(), img.height());
            plans.add(p);
            maxCrops = Math.max(maxCrops, p.crops());
        }
        int b = images.size();
        long pixelBytes =
                (long) b * maxCrops * CropTensorWriter.CROP_ELEMENTS * CropTensorWriter.bytesPerElement(floatType);
        if (pixelBytes > Integer.MAX_VALUE) {
            throw new MediaTooLargeException("a batch of " + b + " images with " + maxCrops + " crops needs "
                    + (pixelBytes >> 20) + " MiB of pixel_values, over the 2 GiB tensor limit; send fewer images");
        }
        int maskBytes = b * maxCrops * CropTensorWriter.MASK_ELEMENTS * CropTensorWriter.bytesPerElement(maskType);
        ByteBuffer pixels = null;
        ByteBuffer masks = null;
        ByteBuffer sizes = null;
        try {
            pixels = pool.acquire((int) pixelBytes);
            masks = pool.acquire(maskBytes);
            sizes = pool.acquire(b * 2 * Long.BYTES);
            CropTensorWriter writer = new CropTensorWriter(pixels, floatType, lut);
            float[] global = new float[CropTensorWriter.CROP_ELEMENTS];
            for (int i = 0; i < b; i++) {
                DynamicHdPlan p = plans.get(i);
                writeImage(writer, masks, maskType, images.get(i), p, i * maxCrops, maxCrops, global);
                sizes.putLong(i * 2 * Long.BYTES, p.canvasHeight());
                sizes.putLong((i * 2 + 1) * Long.BYTES, p.canvasWidth());
            }
            return new VisionInputs(pool, floatType, maskType, plans, maxCrops, pixels, masks, sizes);
        } catch (RuntimeException | Error e) {
            pool.release(pixels);
            pool.release(masks);
            pool.release(sizes);
            throw e;
        }
    }

    /** One image: global view, HD tiles row-major, zero crops up to the batch maximum, and their masks (§7.5–7.9). */
    private void writeImage(
            CropTensorWriter writer,
            ByteBuffer masks,
            TensorFloatType maskType,
            RgbImage img,
            DynamicHdPlan p,
            int firstCrop,
            int maxCrops,
            float[] global) {
        byte[] resized = BilinearAntialiasResizer.resize(
                img.rgb(), img.width(), img.height(), p.resizedWidth(), p.resizedHeight());
        BicubicGlobalView.render(
                resized, p.resizedWidth(), p.resizedHeight(), p.canvasWidth(), p.canvasHeight(), lut, global);
        int m = DynamicHdPlan.MASK_SIZE;
        writer.writeCrop(firstCrop, global);
        CropTensorWriter.writeMask(masks, maskType, firstCrop, m, m);
        int validRows = m * p.gridRows() - p.zeroMaskRows();
        int validCols = m * p.gridColumns() - p.zeroMaskColumns();
        int crop = firstCrop + 1;
        for (int r = 0; r < p.gridRows(); r++) {
            for (int c = 0; c < p.gridColumns(); c++, crop++) {
                writer.writeTile(crop, resized, p.resizedWidth(), p.resizedHeight(), r, c);
                CropTensorWriter.writeMask(masks, maskType, crop, validRows - r * m, validCols - c * m);
            }
        }
        for (; crop < firstCrop + maxCrops; crop++) {
            writer.writeZeroCrop(crop);
            CropTensorWriter.writeMask(masks, maskType, crop, m, m);
        }
    }

    /** §7.1: ToTensor (v / 255 in float32) then Normalize ((x − mean) / std), per channel. */
    private static float[][] normalisationTables(VisionProcessorConfig config) {
        float[] mean = config.mean();
        float[] std = config.std();
        float[][] t = new float[3][256];
        for (int c = 0; c < 3; c++) {
            for (int v = 0; v < 256; v++) {
                t[c][v] = (v / 255f - mean[c]) / std[c];
            }
        }
        return t;
    }
}
