package dev.phi4ee.core.vision;

import dev.phi4ee.core.api.InvalidInputException;
import dev.phi4ee.core.api.MediaTooLargeException;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import org.apache.pdfbox.contentstream.operator.Operator;
import org.apache.pdfbox.contentstream.operator.OperatorName;
import org.apache.pdfbox.contentstream.operator.state.EmptyGraphicsStackException;
import org.apache.pdfbox.cos.COSBase;
import org.apache.pdfbox.cos.COSName;
import org.apache.pdfbox.pdmodel.MissingResourceException;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDResources;
import org.apache.pdfbox.pdmodel.font.PDFont;
import org.apache.pdfbox.pdmodel.graphics.image.PDImage;
import org.apache.pdfbox.pdmodel.graphics.image.PDImageXObject;
import org.apache.pdfbox.rendering.ImageType;
import org.apache.pdfbox.rendering.PDFRenderer;
import org.apache.pdfbox.rendering.PageDrawer;
import org.apache.pdfbox.rendering.PageDrawerParameters;

/**
 * PDFBox's renderer with a budget per page and no silent damage (docs/decisions/vision-pdf-render-budget.md).
 *
 * <ul>
 *   <li>Every content-stream operator, in the page and in every form it draws, counts against {@code maxOperations};
 *       the wall clock is checked at each operator against {@code maxTime}. Both end rendering with an
 *       {@link InvalidInputException}: PDF is a program, and a few kilobytes of forms that draw each other twice
 *       run 2^depth times.
 *   <li>PDFBox draws on when a page refers to something the file does not hold (an image cut off by a truncated
 *       download, an undefined XObject, font, colour space or graphics state) or holds damaged (an image that does
 *       not decode), and only logs it with a stack trace. Here each of these ends the page with an
 *       {@link InvalidInputException} naming the page and the missing thing: the model must not answer about a page
 *       that lacks part of its content. Only a stray restore ({@code Q} without {@code q}), which loses nothing, is
 *       passed over.
 *   <li>An image XObject over the pixel budget is refused from its dictionary, before PDFBox decodes it; forms
 *       nested deeper than PDFBox draws ({@value #MAX_FORM_NESTING} levels) are refused instead of left out.
 * </ul>
 *
 * The budget is unchecked (a {@link RuntimeException}) on purpose: PDFBox forgives {@link IOException}s raised
 * while drawing an XObject, so a checked error would be swallowed one form level up and the bomb would go on.
 */
final class BudgetedPdfRenderer extends PDFRenderer {
    /** PDFBox's own limit (DrawObject): a form drawn at a deeper level is skipped with a log line. */
    static final int MAX_FORM_NESTING = 50;

    private final String label;
    private final long maxOperations;
    private final Duration maxTime;
    private final long maxPixels;
    private int pageIndex;

    BudgetedPdfRenderer(PDDocument document, String label, long maxOperations, Duration maxTime, long maxPixels) {
        super(document);
        this.label = label;
        this.maxOperations = maxOperations;
        this.maxTime = maxTime;
        this.maxPixels = maxPixels;
    }

    /** Renders page {@code index} (0-based) under a fresh budget. */
    BufferedImage renderPage(int index, float dpi) throws IOException {
        pageIndex = index;
        return renderImageWithDPI(index, dpi, ImageType.RGB);
    }

    @Override
    protected PageDrawer createPageDrawer(PageDrawerParameters parameters) throws IOException {
        return new Drawer(parameters, label + " (page " + (pageIndex + 1) + ")");
    }

    private final class Drawer extends PageDrawer {
        private final String where;
        private final long started = System.nanoTime();
        private long operations;

        Drawer(PageDrawerParameters parameters, String where) throws IOException {
            super(parameters);
            this.where = where;
        }

        @Override
        protected void processOperator(Operator operator, List<COSBase> operands) throws IOException {
            if (++operations > maxOperations) {
                throw new InvalidInputException(where + ": drawing the page takes more than " + maxOperations
                        + " operations (maxPageOperations); the document is too complex, or built to exhaust the"
                        + " renderer (e.g. forms that draw each other)");
            }
            long elapsed = System.nanoTime() - started;
            if (elapsed > maxTime.toNanos()) {
                throw new InvalidInputException(where + ": drawing the page took longer than "
                        + maxTime.toMillis() + " ms (maxPageRenderTime) after " + operations
                        + " operations; the document is too complex, or built to exhaust the renderer");
            }
            if (OperatorName.SET_FONT_AND_SIZE.equals(operator.getName())) {
                requireFont(operands);
            } else if (OperatorName.DRAW_OBJECT.equals(operator.getName()) && getLevel() >= MAX_FORM_NESTING) {
                // PDFBox itself would log the next level and leave the form out.
                throw new InvalidInputException(where + ": forms are nested more than " + MAX_FORM_NESTING
                        + " levels deep; the document is damaged or built to exhaust the renderer");
            }
            super.processOperator(operator, operands);
        }

        /** Before PDFBox's own Tf, which logs a missing font and then draws the text in a default font. */
        private void requireFont(List<COSBase> operands) throws IOException {
            if (operands.isEmpty() || !(operands.get(0) instanceof COSName name)) {
                return;
            }
            PDResources resources = getResources();
            PDFont font = resources == null ? null : resources.getFont(name);
            if (font == null) {
                throw new InvalidInputException(where + ": the text uses the font '" + name.getName()
                        + "', which the file does not define (truncated or damaged PDF)");
            }
            if (font.isDamaged()) {
                throw new InvalidInputException(
                        where + ": the embedded font '" + font.getName() + "' is damaged (truncated or corrupt PDF)");
            }
        }

        /** Text drawn before any font is set: PDFBox would log it and substitute a default font. */
        @Override
        protected void showText(byte[] string) throws IOException {
            if (getGraphicsState().getTextState().getFont() == null) {
                throw new InvalidInputException(where + ": text is drawn without a font (damaged PDF)");
            }
            super.showText(string);
        }

        @Override
        protected void operatorException(Operator operator, List<COSBase> operands, IOException e) {
            if (e instanceof EmptyGraphicsStackException) {
                return; // a restore without a save: nothing is lost
            }
            if (e instanceof MissingResourceException) {
                throw new InvalidInputException(
                        where + ": the page refers to content the file does not contain (" + e.getMessage()
                                + "); the PDF is truncated or damaged",
                        e);
            }
            String detail = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            throw new InvalidInputException(
                    where + ": part of the page cannot be drawn (operator " + operator.getName() + ": " + detail
                            + "); truncated or damaged PDF",
                    e);
        }

        @Override
        public void drawImage(PDImage image) throws IOException {
            long pixels = (long) image.getWidth() * image.getHeight();
            if (pixels > maxPixels) {
                throw new MediaTooLargeException(where + ": an embedded image of " + image.getWidth() + "×"
                        + image.getHeight() + " = " + pixels + " pixels exceeds the budget of " + maxPixels
                        + " pixels (maxImagePixels)");
            }
            if (image instanceof PDImageXObject xobject) {
                requireWholeImage(xobject);
            }
            super.drawImage(image);
        }

        /**
         * PDFBox draws an image whose data ends early (a damaged or cut compressed stream) with the rest left black,
         * and says so only in a log line; the decoded bytes are counted first instead. A JPEG must end with its EOI
         * marker (PDFBox's JPEG path fills a truncated one with grey in silence); JPEG 2000 is left to PDFBox.
         */
        private void requireWholeImage(PDImageXObject image) throws IOException {
            List<COSName> filters = image.getStream().getFilters();
            if (filters.contains(COSName.JPX_DECODE)) {
                return;
            }
            if (filters.contains(COSName.DCT_DECODE) || filters.contains(COSName.DCT_DECODE_ABBREVIATION)) {
                if (filters.size() == 1 && !endsWithEoi(image)) {
                    throw damagedImage("its JPEG data ends before the end-of-image marker");
                }
                return;
            }
            int components = image.isStencil() ? 1 : image.getColorSpace().getNumberOfComponents();
            int bits = image.isStencil() ? 1 : image.getBitsPerComponent();
            long expected = ((long) image.getWidth() * components * bits + 7) / 8 * image.getHeight();
            long decoded = 0;
            byte[] buffer = new byte[1 << 16];
            try (InputStream in = image.createInputStream()) {
                int n;
                while (decoded < expected && (n = in.read(buffer)) > 0) {
                    decoded += n;
                }
            }
            if (decoded < expected) {
                throw damagedImage("its data holds " + decoded + " of " + expected + " bytes");
            }
        }

        private boolean endsWithEoi(PDImageXObject image) throws IOException {
            byte[] raw;
            try (InputStream in = image.getCOSObject().createRawInputStream()) {
                raw = in.readAllBytes();
            }
            int end = raw.length;
            while (end > 0
                    && (raw[end - 1] == ' ' || raw[end - 1] == '\r' || raw[end - 1] == '\n' || raw[end - 1] == 0)) {
                end--;
            }
            return end >= 2 && (raw[end - 2] & 0xFF) == 0xFF && (raw[end - 1] & 0xFF) == 0xD9;
        }

        private InvalidInputException damagedImage(String why) {
            return new InvalidInputException(
                    where + ": an image on the page is damaged (" + why + "); the PDF is truncated or corrupt");
        }
    }
}
