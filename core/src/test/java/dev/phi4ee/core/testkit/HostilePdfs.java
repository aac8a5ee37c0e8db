package dev.phi4ee.core.testkit;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.pdfbox.cos.COSName;
import org.apache.pdfbox.pdfwriter.compress.CompressParameters;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDResources;
import org.apache.pdfbox.pdmodel.common.PDRectangle;
import org.apache.pdfbox.pdmodel.common.PDStream;
import org.apache.pdfbox.pdmodel.font.PDType1Font;
import org.apache.pdfbox.pdmodel.font.Standard14Fonts;
import org.apache.pdfbox.pdmodel.graphics.form.PDFormXObject;
import org.apache.pdfbox.pdmodel.graphics.image.LosslessFactory;
import org.apache.pdfbox.pdmodel.graphics.image.PDImageXObject;

/** Hostile PDFs written with PDFBox itself: a form-XObject bomb, a download cut inside an image, missing resources. */
public final class HostilePdfs {
    private HostilePdfs() {}

    /**
     * A one-page PDF of {@code depth} form XObjects, each drawing the next one twice: 2^depth innermost draws from a
     * few kilobytes (the page draws level 0 once).
     */
    public static byte[] formBomb(int depth) {
        try (PDDocument doc = new PDDocument()) {
            PDPage page = new PDPage(PDRectangle.A4);
            doc.addPage(page);
            PDFormXObject inner = form(doc, "0 0 1 1 re f", new PDResources());
            for (int level = 1; level < depth; level++) {
                PDResources res = new PDResources();
                res.put(COSName.getPDFName("X"), inner);
                inner = form(doc, "/X Do /X Do", res);
            }
            PDResources pageResources = new PDResources();
            pageResources.put(COSName.getPDFName("X"), inner);
            page.setResources(pageResources);
            page.setContents(stream(doc, "/X Do /X Do"));
            return save(doc);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A one-page PDF that draws a noisy {@code 300 × 200} image, cut in the middle of the image's data, as an
     * interrupted download leaves it. The image is the last object written, so the page tree survives the cut.
     */
    public static byte[] truncatedInImage() {
        byte[] whole = imagePage();
        int image = indexOf(whole, "/Subtype /Image");
        int data = indexOf(whole, "stream", image) + "stream\r\n".length();
        int end = indexOf(whole, "endstream", data);
        return Arrays.copyOf(whole, data + (end - data) / 2);
    }

    /** A one-page PDF whose only content is a {@code 300 × 200} image; the image object comes last in the file. */
    public static byte[] imagePage() {
        try (PDDocument doc = new PDDocument()) {
            PDPage page = new PDPage(PDRectangle.A4);
            doc.addPage(page);
            BufferedImage noise = new BufferedImage(300, 200, BufferedImage.TYPE_INT_RGB);
            java.util.Random random = new java.util.Random(7);
            for (int y = 0; y < 200; y++) {
                for (int x = 0; x < 300; x++) {
                    noise.setRGB(x, y, random.nextInt());
                }
            }
            PDImageXObject image = LosslessFactory.createFromImage(doc, noise);
            PDResources res = new PDResources();
            res.put(COSName.getPDFName("Im1"), image);
            page.setResources(res);
            page.setContents(stream(doc, "q 300 0 0 200 72 500 cm /Im1 Do Q"));
            return save(doc);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * {@link #imagePage()} with the start of the image's compressed data overwritten: the file's structure is intact,
     * the image does not decompress.
     */
    public static byte[] damagedImageData() {
        byte[] pdf = imagePage();
        int image = indexOf(pdf, "/Subtype /Image");
        int data = indexOf(pdf, "stream", image) + "stream\r\n".length();
        Arrays.fill(pdf, data, data + 64, (byte) 0xA5);
        return pdf;
    }

    /** A benign control: text in the standard Helvetica, which PDFBox substitutes (and logs doing so). */
    public static byte[] helveticaText() {
        PDResources res = new PDResources();
        res.put(COSName.getPDFName("F1"), new PDType1Font(Standard14Fonts.FontName.HELVETICA));
        return rawPage("BT /F1 24 Tf 72 400 Td (invoice total) Tj ET", res);
    }

    /** A page whose content draws an XObject ({@code /Im9}) that its resources do not define. */
    public static byte[] missingXObject() {
        return rawPage("q 100 0 0 100 72 500 cm /Im9 Do Q", new PDResources());
    }

    /** A page whose text uses a font ({@code /F9}) that its resources do not define. */
    public static byte[] missingFont() {
        PDResources res = new PDResources();
        res.put(COSName.getPDFName("F1"), new PDType1Font(Standard14Fonts.FontName.HELVETICA));
        return rawPage("BT /F9 24 Tf 72 400 Td (invoice total) Tj ET", res);
    }

    /** A page with a stray {@code Q} (restore without save): harmless, rendered as usual. */
    public static byte[] unbalancedRestore() {
        return rawPage("Q 1 0 0 rg 72 72 100 100 re f", new PDResources());
    }

    private static byte[] rawPage(String content, PDResources resources) {
        try (PDDocument doc = new PDDocument()) {
            PDPage page = new PDPage(PDRectangle.A4);
            doc.addPage(page);
            page.setResources(resources);
            page.setContents(stream(doc, content));
            return save(doc);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static PDFormXObject form(PDDocument doc, String content, PDResources resources) throws IOException {
        PDFormXObject form = new PDFormXObject(stream(doc, content));
        form.setBBox(new PDRectangle(0, 0, 100, 100));
        form.setResources(resources);
        return form;
    }

    private static PDStream stream(PDDocument doc, String content) throws IOException {
        return new PDStream(doc, new ByteArrayInputStream(content.getBytes(StandardCharsets.US_ASCII)));
    }

    /** Uncompressed object layout (no object streams), so objects appear in the file in the order written. */
    private static byte[] save(PDDocument doc) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        doc.save(out, CompressParameters.NO_COMPRESSION);
        return out.toByteArray();
    }

    public static int indexOf(byte[] data, String text) {
        return indexOf(data, text, 0);
    }

    public static int indexOf(byte[] data, String text, int from) {
        byte[] needle = text.getBytes(StandardCharsets.US_ASCII);
        outer:
        for (int i = from; i <= data.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (data[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new IllegalArgumentException("'" + text + "' not found");
    }
}
