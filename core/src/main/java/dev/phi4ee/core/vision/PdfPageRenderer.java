package dev.phi4ee.core.vision;

import dev.phi4ee.core.api.InvalidInputException;
import dev.phi4ee.core.api.MediaTooLargeException;
import dev.phi4ee.core.api.UnsupportedMediaException;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.common.PDRectangle;
import org.apache.pdfbox.pdmodel.encryption.InvalidPasswordException;

/**
 * Renders every page of a PDF with PDFBox at the configured DPI onto white, one RGB image per page. The page count
 * and every page's pixel size are checked before the first page is rendered. A PDF that needs a password is
 * rejected; one encrypted only with an owner password (permissions) opens and renders like any other. Each page is
 * drawn under an operation and time budget, and a page that refers to content the file lacks is an error
 * ({@link BudgetedPdfRenderer}).
 */
final class PdfPageRenderer {

    private final int dpi;
    private final long maxPixels;
    private final int maxPages;
    private final long maxPageOperations;
    private final Duration maxPageRenderTime;

    PdfPageRenderer(int dpi, long maxPixels, int maxPages, long maxPageOperations, Duration maxPageRenderTime) {
        this.dpi = dpi;
        this.maxPixels = maxPixels;
        this.maxPages = maxPages;
        this.maxPageOperations = maxPageOperations;
        this.maxPageRenderTime = maxPageRenderTime;
    }

    /** Rendered page sizes, with the page and pixel limits applied; nothing is rendered. */
    List<PageSize> probe(byte[] data, String label) {
        return withDocument(data, label, doc -> pageSizes(doc, label));
    }

    List<RgbImage> render(byte[] data, String label) {
        return withDocument(data, label, doc -> {
            int pages = pageSizes(doc, label).size();
            BudgetedPdfRenderer renderer =
                    new BudgetedPdfRenderer(doc, label, maxPageOperations, maxPageRenderTime, maxPixels);
            List<RgbImage> out = new ArrayList<>(pages);
            for (int i = 0; i < pages; i++) {
                out.add(RawSampleConverter.toRgb(renderer.renderPage(i, dpi)));
            }
            return out;
        });
    }

    private interface DocumentWork<T> {
        T apply(PDDocument doc) throws IOException;
    }

    private <T> T withDocument(byte[] data, String label, DocumentWork<T> work) {
        try (PDDocument doc = Loader.loadPDF(data)) {
            return work.apply(doc);
        } catch (InvalidPasswordException e) {
            throw new UnsupportedMediaException(
                    label + ": the PDF is encrypted with a password; encrypted documents are not supported", e);
        } catch (IOException | RuntimeException e) {
            if (e instanceof InvalidInputException iie) {
                throw iie;
            }
            String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            throw new InvalidInputException(label + ": cannot read the PDF (corrupt or truncated): " + m, e);
        }
    }

    private List<PageSize> pageSizes(PDDocument doc, String label) {
        int pages = doc.getNumberOfPages();
        if (pages < 1) {
            throw new InvalidInputException(label + ": the PDF has no pages");
        }
        if (pages > maxPages) {
            throw new MediaTooLargeException(label + ": " + pages + " pages exceed the limit of " + maxPages
                    + " pages per document (maxDocumentPages)");
        }
        List<PageSize> sizes = new ArrayList<>(pages);
        for (int i = 0; i < pages; i++) {
            sizes.add(checkBudget(label, i, doc.getPage(i)));
        }
        return sizes;
    }

    /** The pixel size PDFBox's renderer will allocate (PDFRenderer.renderImage: floor(points·dpi/72), ≥ 1). */
    private PageSize checkBudget(String label, int index, PDPage page) {
        PDRectangle crop = page.getCropBox();
        float scale = dpi / 72f;
        long w = (long) Math.max(Math.floor(crop.getWidth() * scale), 1);
        long h = (long) Math.max(Math.floor(crop.getHeight() * scale), 1);
        if (w * h > maxPixels) {
            throw new MediaTooLargeException(label + " (page " + (index + 1) + "): " + w + "×" + h + " = " + w * h
                    + " pixels at " + dpi + " DPI exceed the budget of " + maxPixels + " pixels (maxImagePixels)");
        }
        int rotation = ((page.getRotation() % 360) + 360) % 360;
        return rotation == 90 || rotation == 270 ? new PageSize((int) h, (int) w) : new PageSize((int) w, (int) h);
    }
}
