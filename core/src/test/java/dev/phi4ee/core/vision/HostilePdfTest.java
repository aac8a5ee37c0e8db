package dev.phi4ee.core.vision;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.phi4ee.core.api.InvalidInputException;
import dev.phi4ee.core.api.Media;
import dev.phi4ee.core.api.MediaTooLargeException;
import dev.phi4ee.core.testkit.HostilePdfs;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.apache.pdfbox.cos.COSName;
import org.apache.pdfbox.pdfwriter.compress.CompressParameters;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDResources;
import org.apache.pdfbox.pdmodel.common.PDRectangle;
import org.apache.pdfbox.pdmodel.common.PDStream;
import org.apache.pdfbox.pdmodel.graphics.form.PDFormXObject;
import org.apache.pdfbox.pdmodel.graphics.image.LosslessFactory;
import org.apache.pdfbox.pdmodel.graphics.image.PDImageXObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The hostile-document corpus (issue 12): every case ends quickly with one typed error naming the page, or renders
 * correctly; PDFBox logs no stack trace for any of them. Without the render budget the bombs run for hours, hence
 * the timeouts: they fail the test instead of hanging the build.
 */
class HostilePdfTest {
    private static final Logger PDFBOX = Logger.getLogger("org.apache.pdfbox");

    private final List<LogRecord> logged = new ArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord r) {
            logged.add(r);
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    };

    @BeforeEach
    void captureLog() {
        PDFBOX.addHandler(capture);
    }

    @AfterEach
    void noStackTraceLogged() {
        PDFBOX.removeHandler(capture);
        assertThat(logged.stream().filter(r -> r.getThrown() != null).map(LogRecord::getMessage))
                .as("PDFBox log records with a stack trace")
                .isEmpty();
        assertThat(logged).as("PDFBox log records").hasSizeLessThanOrEqualTo(1);
    }

    private static ImagePreprocessor budget(long operations, Duration time) {
        return new ImagePreprocessor(
                VisionProcessorConfig.defaults(),
                4_000_000,
                3,
                72,
                ImagePreprocessor.DEFAULT_POOL_BYTES,
                operations,
                time);
    }

    @Test
    @Timeout(120)
    void formBombEndsOnTheOperationBudget() {
        byte[] bomb = HostilePdfs.formBomb(29);
        assertThat(bomb.length).isLessThan(8 * 1024);
        ImagePreprocessor pre = budget(20_000, Duration.ofHours(1));
        assertThatThrownBy(() -> pre.decode(new Media(bomb, null, "bomb.pdf")))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("bomb.pdf (page 1)")
                .hasMessageContaining("more than 20000 operations (maxPageOperations)");
    }

    @Test
    @Timeout(120)
    void formBombEndsOnTheTimeBudget() {
        ImagePreprocessor pre = budget(Long.MAX_VALUE, Duration.ofMillis(300));
        assertThatThrownBy(() -> pre.decode(new Media(HostilePdfs.formBomb(29), null, "bomb.pdf")))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("bomb.pdf (page 1)")
                .hasMessageContaining("longer than 300 ms (maxPageRenderTime)");
    }

    /** Prints the figure of issue 12 (the bomb's time to error under the default budget); asserts no timing. */
    @Test
    @Timeout(300)
    void formBombTimeToErrorWithTheDefaults() {
        ImagePreprocessor pre = new ImagePreprocessor(VisionProcessorConfig.defaults(), 100_000_000L, 20, 200);
        byte[] bomb = HostilePdfs.formBomb(29);
        long start = System.nanoTime();
        assertThatThrownBy(() -> pre.decode(Media.of(bomb))).isInstanceOf(InvalidInputException.class);
        System.out.printf(
                "PDF form bomb (%d bytes, 2^29 draws): error after %.2f s with the default budget%n",
                bomb.length, (System.nanoTime() - start) / 1e9);
    }

    @Test
    void formsNestedDeeperThanPdfBoxDrawsAreRefused() throws IOException {
        // PDFBox skips a form drawn below level 50 and only logs it; the page would be missing its content.
        assertThatThrownBy(() -> budget(1_000_000, Duration.ofMinutes(1)).decode(Media.of(nestedChain(60))))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("nested more than 50 levels");
        assertThat(budget(1_000_000, Duration.ofMinutes(1)).decode(Media.of(nestedChain(20))))
                .hasSize(1);
    }

    @Test
    void aDownloadCutInsideAnImageIsAnError() {
        ImagePreprocessor pre = budget(1_000_000, Duration.ofMinutes(1));
        assertThat(pre.decode(Media.of(HostilePdfs.imagePage()))).hasSize(1);
        assertThatThrownBy(() -> pre.decode(new Media(HostilePdfs.truncatedInImage(), null, "cut.pdf")))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("cut.pdf (page 1)")
                .hasMessageContaining("Im1")
                .hasMessageContaining("truncated or damaged");
    }

    @Test
    void missingXObjectAndFontAreErrors() {
        ImagePreprocessor pre = budget(1_000_000, Duration.ofMinutes(1));
        assertThatThrownBy(() -> pre.decode(new Media(HostilePdfs.missingXObject(), null, "x.pdf")))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("x.pdf (page 1)")
                .hasMessageContaining("Im9");
        assertThatThrownBy(() -> pre.decode(new Media(HostilePdfs.missingFont(), null, "f.pdf")))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("f.pdf (page 1)")
                .hasMessageContaining("font 'F9'");
    }

    @Test
    void anUndecodableImageIsAnError() {
        assertThatThrownBy(() -> budget(1_000_000, Duration.ofMinutes(1))
                        .decode(new Media(HostilePdfs.damagedImageData(), null, "bad.pdf")))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("bad.pdf (page 1)")
                .hasMessageContaining("image on the page is damaged");
    }

    @Test
    void aJpegWithoutItsEndIsAnError() throws IOException {
        byte[] pdf = jpegPage();
        assertThat(budget(1_000_000, Duration.ofMinutes(1)).decode(Media.of(pdf.clone())))
                .hasSize(1);
        int end = HostilePdfs.indexOf(pdf, "endstream", HostilePdfs.indexOf(pdf, "/DCTDecode"));
        int eoi = end - 1;
        while ((pdf[eoi - 1] & 0xFF) != 0xFF || (pdf[eoi] & 0xFF) != 0xD9) {
            eoi--;
        }
        pdf[eoi - 1] = 'A'; // the JPEG's end-of-image marker overwritten, as a cut-off scan lacks it
        pdf[eoi] = 'A';
        assertThatThrownBy(() -> budget(1_000_000, Duration.ofMinutes(1)).decode(new Media(pdf, null, "scan.pdf")))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("scan.pdf (page 1)")
                .hasMessageContaining("end-of-image marker");
    }

    @Test
    void anEmbeddedImageOverThePixelBudgetIsRefusedBeforeDecoding() throws IOException {
        assertThatThrownBy(() -> budget(1_000_000, Duration.ofMinutes(1)).decode(Media.of(bigImagePage())))
                .isInstanceOf(MediaTooLargeException.class)
                .hasMessageContaining("2100×2000 = 4200000 pixels")
                .hasMessageContaining("maxImagePixels");
    }

    @Test
    void aStrayRestoreIsPassedOver() {
        List<RgbImage> pages =
                budget(1_000_000, Duration.ofMinutes(1)).decode(Media.of(HostilePdfs.unbalancedRestore()));
        RgbImage page = pages.get(0);
        // The red square (72..172 pt from the bottom left) is drawn despite the stray Q before it.
        int y = page.height() - 100;
        assertThat(page.sample(100, y, 0)).isEqualTo(255);
        assertThat(page.sample(100, y, 1)).isZero();
    }

    private static byte[] nestedChain(int depth) throws IOException {
        try (PDDocument doc = new PDDocument()) {
            PDPage page = new PDPage(PDRectangle.A4);
            doc.addPage(page);
            PDFormXObject inner = form(doc, "0 0 10 10 re f", new PDResources());
            for (int level = 1; level < depth; level++) {
                PDResources res = new PDResources();
                res.put(COSName.getPDFName("X"), inner);
                inner = form(doc, "/X Do", res);
            }
            PDResources pageResources = new PDResources();
            pageResources.put(COSName.getPDFName("X"), inner);
            page.setResources(pageResources);
            page.setContents(new PDStream(doc, new ByteArrayInputStream("/X Do".getBytes(StandardCharsets.US_ASCII))));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            doc.save(out, CompressParameters.NO_COMPRESSION);
            return out.toByteArray();
        }
    }

    private static PDFormXObject form(PDDocument doc, String content, PDResources resources) throws IOException {
        PDFormXObject form = new PDFormXObject(
                new PDStream(doc, new ByteArrayInputStream(content.getBytes(StandardCharsets.US_ASCII))));
        form.setBBox(new PDRectangle(0, 0, 100, 100));
        form.setResources(resources);
        return form;
    }

    private static byte[] jpegPage() throws IOException {
        try (PDDocument doc = new PDDocument()) {
            PDPage page = new PDPage(PDRectangle.A4);
            doc.addPage(page);
            PDImageXObject image = org.apache.pdfbox.pdmodel.graphics.image.JPEGFactory.createFromImage(
                    doc, TestImages.drawing(200, 150, java.awt.image.BufferedImage.TYPE_3BYTE_BGR));
            PDResources res = new PDResources();
            res.put(COSName.getPDFName("Im1"), image);
            page.setResources(res);
            page.setContents(new PDStream(
                    doc,
                    new ByteArrayInputStream("q 200 0 0 150 72 500 cm /Im1 Do Q".getBytes(StandardCharsets.US_ASCII))));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            doc.save(out, CompressParameters.NO_COMPRESSION);
            return out.toByteArray();
        }
    }

    private static byte[] bigImagePage() throws IOException {
        try (PDDocument doc = new PDDocument()) {
            PDPage page = new PDPage(PDRectangle.A4);
            doc.addPage(page);
            PDImageXObject image = LosslessFactory.createFromImage(
                    doc, new java.awt.image.BufferedImage(2100, 2000, java.awt.image.BufferedImage.TYPE_BYTE_GRAY));
            PDResources res = new PDResources();
            res.put(COSName.getPDFName("Im1"), image);
            page.setResources(res);
            page.setContents(new PDStream(
                    doc,
                    new ByteArrayInputStream("q 100 0 0 100 72 500 cm /Im1 Do Q".getBytes(StandardCharsets.US_ASCII))));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            doc.save(out);
            return out.toByteArray();
        }
    }
}
