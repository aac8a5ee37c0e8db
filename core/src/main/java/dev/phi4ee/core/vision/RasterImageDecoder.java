package dev.phi4ee.core.vision;

import com.twelvemonkeys.imageio.stream.ByteArrayImageInputStream;
import dev.phi4ee.core.api.InvalidInputException;
import dev.phi4ee.core.api.MediaFormat;
import dev.phi4ee.core.api.MediaTooLargeException;
import dev.phi4ee.core.api.UnsupportedMediaException;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.ServiceLoader;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.event.IIOReadWarningListener;
import javax.imageio.spi.IIORegistry;
import javax.imageio.spi.ImageReaderSpi;
import org.slf4j.LoggerFactory;

/**
 * Decodes raster formats with ImageIO: the JDK's PNG, GIF and BMP readers and the TwelveMonkeys JPEG (CMYK/YCCK,
 * progressive, lossless), TIFF (multi-page, CCITT G3/G4, LZW, Deflate, JPEG) and WebP readers. The pixel budget is
 * checked from each page's header before its pixels are decoded. A multi-page TIFF gives one image per page; GIF
 * and WebP animations give their first frame, as Pillow's {@code open} does.
 */
final class RasterImageDecoder {

    static {
        // ImageIO's registry scans the class path of whichever thread first touches it; in an application server
        // that may not see this library's plugins, so register the TwelveMonkeys readers from our own loader.
        IIORegistry registry = IIORegistry.getDefaultInstance();
        Iterator<ImageReaderSpi> spis = ServiceLoader.load(
                        ImageReaderSpi.class, RasterImageDecoder.class.getClassLoader())
                .iterator();
        while (true) {
            try {
                if (!spis.hasNext()) {
                    break;
                }
                registry.registerServiceProvider(spis.next(), ImageReaderSpi.class);
            } catch (java.util.ServiceConfigurationError e) {
                LoggerFactory.getLogger(RasterImageDecoder.class)
                        .warn("skipping an ImageIO reader that failed to load", e);
            }
        }
    }

    private final long maxPixels;
    private final int maxPages;

    RasterImageDecoder(long maxPixels, int maxPages) {
        this.maxPixels = maxPixels;
        this.maxPages = maxPages;
    }

    /** Page sizes from the headers only, with the page and pixel limits applied; no pixel is decoded. */
    List<PageSize> probe(byte[] data, MediaFormat format, String label) {
        ImageReader reader = readerFor(format, label);
        try (ByteArrayImageInputStream in = new ByteArrayImageInputStream(data)) {
            reader.setInput(in, false, true);
            return pageSizes(reader, format, label);
        } catch (IOException | RuntimeException e) {
            throw asInvalid(e, format, label);
        } finally {
            reader.dispose();
        }
    }

    private List<PageSize> pageSizes(ImageReader reader, MediaFormat format, String label) throws IOException {
        int pages = format == MediaFormat.TIFF ? reader.getNumImages(true) : 1;
        if (pages < 1) {
            throw new InvalidInputException(label + ": the " + format + " file holds no image");
        }
        if (pages > maxPages) {
            throw new MediaTooLargeException(label + ": " + pages + " pages exceed the limit of " + maxPages
                    + " pages per document (maxDocumentPages)");
        }
        List<PageSize> sizes = new ArrayList<>(pages);
        for (int i = 0; i < pages; i++) {
            int w = reader.getWidth(i);
            int h = reader.getHeight(i);
            checkBudget(label, i, pages, w, h);
            sizes.add(new PageSize(w, h));
        }
        return sizes;
    }

    private static InvalidInputException asInvalid(Exception e, MediaFormat format, String label) {
        if (e instanceof InvalidInputException iie) {
            return iie;
        }
        return new InvalidInputException(
                label + ": cannot decode as " + format + " (corrupt or truncated data): " + describe(e), e);
    }

    List<RgbImage> decode(byte[] data, MediaFormat format, String label) {
        ImageReader reader = readerFor(format, label);
        List<String> fatalWarnings = new ArrayList<>();
        reader.addIIOReadWarningListener(collectTruncation(fatalWarnings));
        try (ByteArrayImageInputStream in = new ByteArrayImageInputStream(data)) {
            reader.setInput(in, false, false);
            int pages = pageSizes(reader, format, label).size();
            List<RgbImage> out = new ArrayList<>(pages);
            for (int i = 0; i < pages; i++) {
                BufferedImage img = reader.read(i, rawSamplesParam(reader, i));
                if (!fatalWarnings.isEmpty()) {
                    throw new InvalidInputException(
                            label + ": the " + format + " data is truncated or corrupt (" + fatalWarnings.get(0) + ")");
                }
                if (format == MediaFormat.JPEG
                        && img.getColorModel().getColorSpace().getType() == ColorSpace.TYPE_CMYK
                        && hasAdobeMarker(data)) {
                    invert(img); // Adobe CMYK/YCCK JPEGs store inverted CMYK (Pillow reads them as "CMYK;I")
                }
                out.add(RawSampleConverter.toRgb(img));
            }
            return out;
        } catch (IOException | RuntimeException e) {
            throw asInvalid(e, format, label);
        } finally {
            reader.dispose();
        }
    }

    /**
     * Keeps the TwelveMonkeys readers from colour-converting to sRGB: RGB/grey images with an embedded ICC profile
     * are read in their stored colour space (the raw type), CMYK/YCCK ones as CMYK (the offered CMYK type, which
     * undoes Adobe's inversion); {@link RawSampleConverter} then reads the samples as stored.
     */
    private static ImageReadParam rawSamplesParam(ImageReader reader, int index) throws IOException {
        ImageReadParam param = reader.getDefaultReadParam();
        if (!isTwelveMonkeys(reader)) {
            return param;
        }
        ImageTypeSpecifier raw = reader.getRawImageType(index);
        int rawSpace = raw == null ? -1 : raw.getColorModel().getColorSpace().getType();
        if (rawSpace == ColorSpace.TYPE_RGB || rawSpace == ColorSpace.TYPE_GRAY) {
            param.setDestinationType(raw);
        } else if (rawSpace == ColorSpace.TYPE_CMYK) {
            for (Iterator<ImageTypeSpecifier> it = reader.getImageTypes(index); it.hasNext(); ) {
                ImageTypeSpecifier t = it.next();
                if (t.getColorModel().getColorSpace().getType() == ColorSpace.TYPE_CMYK) {
                    param.setDestinationType(t);
                    break;
                }
            }
        }
        return param;
    }

    /** Whether the JPEG has an Adobe APP14 segment before its first scan. */
    static boolean hasAdobeMarker(byte[] d) {
        int p = 2;
        while (p + 4 <= d.length && (d[p] & 0xFF) == 0xFF) {
            int marker = d[p + 1] & 0xFF;
            if (marker == 0xDA || marker == 0xD9) {
                return false; // start of scan / end of image
            }
            int len = ((d[p + 2] & 0xFF) << 8) | (d[p + 3] & 0xFF);
            if (marker == 0xEE
                    && len >= 7
                    && p + 9 <= d.length
                    && new String(d, p + 4, 5, java.nio.charset.StandardCharsets.US_ASCII).equals("Adobe")) {
                return true;
            }
            p += 2 + len;
        }
        return false;
    }

    private static void invert(BufferedImage img) {
        var r = img.getRaster();
        int[] row = new int[r.getWidth() * r.getNumBands()];
        for (int y = 0; y < r.getHeight(); y++) {
            r.getPixels(0, y, r.getWidth(), 1, row);
            for (int i = 0; i < row.length; i++) {
                row[i] = 255 - row[i];
            }
            r.setPixels(0, y, r.getWidth(), 1, row);
        }
    }

    private void checkBudget(String label, int page, int pages, int w, int h) {
        if (w < 1 || h < 1) {
            throw new InvalidInputException(label + ": image has no pixels (" + w + "×" + h + ")");
        }
        if ((long) w * h > maxPixels) {
            String where = pages > 1 ? " (page " + (page + 1) + ")" : "";
            throw new MediaTooLargeException(label + where + ": " + w + "×" + h + " = " + (long) w * h
                    + " pixels exceed the budget of " + maxPixels + " pixels (maxImagePixels)");
        }
    }

    private static ImageReader readerFor(MediaFormat format, String label) {
        String name =
                switch (format) {
                    case JPEG -> "jpeg";
                    case PNG -> "png";
                    case GIF -> "gif";
                    case BMP -> "bmp";
                    case TIFF -> "tiff";
                    case WEBP -> "webp";
                    default -> throw new UnsupportedMediaException(label + ": " + format + " is not an image format");
                };
        ImageReader chosen = null;
        for (Iterator<ImageReader> it = ImageIO.getImageReadersByFormatName(name); it.hasNext(); ) {
            ImageReader r = it.next();
            if (chosen == null || isTwelveMonkeys(r) && !isTwelveMonkeys(chosen)) {
                chosen = r;
            }
        }
        if (chosen == null) {
            throw new UnsupportedMediaException(label + ": no ImageIO reader for " + format + " on the class path");
        }
        return chosen;
    }

    private static boolean isTwelveMonkeys(ImageReader r) {
        return r.getClass().getName().startsWith("com.twelvemonkeys.");
    }

    /** A truncated file is an error, as in Pillow (LOAD_TRUNCATED_IMAGES is off), not a grey-filled image. */
    private static IIOReadWarningListener collectTruncation(List<String> sink) {
        return (source, warning) -> {
            String w = warning == null ? "" : warning.toLowerCase(Locale.ROOT);
            if (w.contains("truncated") || w.contains("premature") || w.contains("eoi") || w.contains("corrupt")) {
                sink.add(warning);
            }
        };
    }

    private static String describe(Throwable e) {
        String m = e.getMessage();
        return m == null ? e.getClass().getSimpleName() : m;
    }
}
