package dev.phi4ee.core.vision;

import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.List;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageOutputStream;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDPageContentStream;
import org.apache.pdfbox.pdmodel.common.PDRectangle;
import org.apache.pdfbox.pdmodel.encryption.AccessPermission;
import org.apache.pdfbox.pdmodel.encryption.StandardProtectionPolicy;
import org.apache.pdfbox.pdmodel.font.PDType1Font;
import org.apache.pdfbox.pdmodel.font.Standard14Fonts;

/** Writes generated content in every input format the decoder supports (WebP: {@link WebPLosslessWriter}). */
final class MediaEncoders {

    private MediaEncoders() {}

    static byte[] write(BufferedImage img, String format) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(img, format, out)) {
                throw new IllegalStateException("no writer for " + format + " / " + img.getType());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    static byte[] jpeg(BufferedImage img, float quality, boolean progressive) {
        return writeWith(writer("jpeg", false), List.of(new IIOImage(img, null, null)), param -> {
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(quality);
            if (progressive) {
                param.setProgressiveMode(ImageWriteParam.MODE_DEFAULT);
            }
        });
    }

    /** An RGB JPEG carrying an embedded ICC profile (APP2) that is not sRGB. */
    static byte[] jpegWithIccProfile(BufferedImage img, java.awt.color.ICC_Profile profile) {
        ImageWriter w = writer("jpeg", false);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ImageOutputStream ios = ImageIO.createImageOutputStream(out)) {
            w.setOutput(ios);
            ImageWriteParam param = w.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(0.98f);
            IIOMetadata meta = w.getDefaultImageMetadata(new javax.imageio.ImageTypeSpecifier(img), param);
            IIOMetadataNode root = (IIOMetadataNode) meta.getAsTree("javax_imageio_jpeg_image_1.0");
            IIOMetadataNode jfif =
                    (IIOMetadataNode) root.getElementsByTagName("app0JFIF").item(0);
            IIOMetadataNode icc = new IIOMetadataNode("app2ICC");
            icc.setUserObject(profile);
            jfif.appendChild(icc);
            meta.setFromTree("javax_imageio_jpeg_image_1.0", root);
            w.write(null, new IIOImage(img, null, meta), param);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            w.dispose();
        }
        return out.toByteArray();
    }

    /**
     * A 4-channel JPEG from raw CMYK samples (0 = no ink), stored inverted with an Adobe APP14 marker as Photoshop
     * does; {@code ycck} selects the Adobe YCCK transform instead of plain CMYK.
     */
    static byte[] cmykJpeg(Raster cmyk, boolean ycck) {
        java.awt.image.WritableRaster inverted = cmyk.createCompatibleWritableRaster();
        int[] px = cmyk.getPixels(0, 0, cmyk.getWidth(), cmyk.getHeight(), (int[]) null);
        for (int i = 0; i < px.length; i++) {
            px[i] = 255 - px[i];
        }
        if (ycck) {
            // The writer stores rasters as given, so apply Adobe's CMYK→YCCK transform here (libjpeg
            // cmyk_ycck_convert: R,G,B = 255 − stored C,M,Y → YCbCr; K unchanged).
            for (int i = 0; i < px.length; i += 4) {
                double r = 255 - px[i];
                double g = 255 - px[i + 1];
                double b = 255 - px[i + 2];
                px[i] = clamp(0.299 * r + 0.587 * g + 0.114 * b);
                px[i + 1] = clamp(-0.168736 * r - 0.331264 * g + 0.5 * b + 128);
                px[i + 2] = clamp(0.5 * r - 0.418688 * g - 0.081312 * b + 128);
            }
        }
        inverted.setPixels(0, 0, cmyk.getWidth(), cmyk.getHeight(), px);
        ImageWriter w = writer("jpeg", true);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ImageOutputStream ios = ImageIO.createImageOutputStream(out)) {
            w.setOutput(ios);
            ImageWriteParam param = w.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(0.98f);
            IIOMetadata meta = w.getDefaultImageMetadata(
                    new javax.imageio.ImageTypeSpecifier(
                            new java.awt.image.ComponentColorModel(
                                    new CmykTestColorSpace(),
                                    false,
                                    false,
                                    java.awt.Transparency.OPAQUE,
                                    java.awt.image.DataBuffer.TYPE_BYTE),
                            inverted.getSampleModel()),
                    param);
            IIOMetadataNode root = (IIOMetadataNode) meta.getAsTree("javax_imageio_jpeg_image_1.0");
            IIOMetadataNode jpegVariety =
                    (IIOMetadataNode) root.getElementsByTagName("JPEGvariety").item(0);
            while (jpegVariety.hasChildNodes()) {
                jpegVariety.removeChild(jpegVariety.getFirstChild()); // no JFIF
            }
            IIOMetadataNode markers = (IIOMetadataNode)
                    root.getElementsByTagName("markerSequence").item(0);
            var adobe = markers.getElementsByTagName("app14Adobe");
            IIOMetadataNode app14;
            if (adobe.getLength() > 0) {
                app14 = (IIOMetadataNode) adobe.item(0);
            } else {
                app14 = new IIOMetadataNode("app14Adobe");
                markers.insertBefore(app14, markers.getFirstChild());
            }
            app14.setAttribute("transform", ycck ? "2" : "0");
            meta.setFromTree("javax_imageio_jpeg_image_1.0", root);
            w.write(null, new IIOImage(inverted, null, meta), param);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            w.dispose();
        }
        return out.toByteArray();
    }

    private static int clamp(double v) {
        return (int) Math.max(0, Math.min(255, Math.round(v)));
    }

    /** Multi-page TIFF with TwelveMonkeys' writer; {@code compression} e.g. "CCITT T.6" (G4) or "LZW". */
    static byte[] tiff(List<BufferedImage> pages, String compression) {
        List<IIOImage> images =
                pages.stream().map(p -> new IIOImage(p, null, null)).toList();
        return writeWith(writer("tiff", true), images, param -> {
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionType(compression);
        });
    }

    /** A PDF of {@code pages} A4 pages, each with a red square (72 pt at (72, 72) from the top left) and text. */
    static byte[] pdf(int pages, String userPassword, String ownerPassword) {
        try (PDDocument doc = new PDDocument()) {
            for (int i = 0; i < pages; i++) {
                PDPage page = new PDPage(PDRectangle.A4);
                doc.addPage(page);
                try (PDPageContentStream cs = new PDPageContentStream(doc, page)) {
                    cs.setNonStrokingColor(1f, 0f, 0f);
                    cs.addRect(72, PDRectangle.A4.getHeight() - 144, 72, 72);
                    cs.fill();
                    cs.beginText();
                    cs.setNonStrokingColor(0f, 0f, 0f);
                    cs.setFont(new PDType1Font(Standard14Fonts.FontName.HELVETICA), 24);
                    cs.newLineAtOffset(72, 400);
                    cs.showText("Page " + (i + 1) + " of the contract");
                    cs.endText();
                }
            }
            if (ownerPassword != null) {
                StandardProtectionPolicy policy = new StandardProtectionPolicy(
                        ownerPassword, userPassword == null ? "" : userPassword, new AccessPermission());
                policy.setEncryptionKeyLength(128);
                doc.protect(policy);
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            doc.save(out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ImageWriter writer(String format, boolean preferTwelveMonkeys) {
        ImageWriter chosen = null;
        for (Iterator<ImageWriter> it = ImageIO.getImageWritersByFormatName(format); it.hasNext(); ) {
            ImageWriter w = it.next();
            boolean tm = w.getClass().getName().startsWith("com.twelvemonkeys");
            if (chosen == null || (preferTwelveMonkeys && tm)) {
                chosen = w;
            }
        }
        if (chosen == null) {
            throw new IllegalStateException("no writer for " + format);
        }
        return chosen;
    }

    private static byte[] writeWith(
            ImageWriter w, List<IIOImage> images, java.util.function.Consumer<ImageWriteParam> configure) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ImageOutputStream ios = ImageIO.createImageOutputStream(out)) {
            w.setOutput(ios);
            ImageWriteParam param = w.getDefaultWriteParam();
            configure.accept(param);
            if (images.size() == 1) {
                w.write(null, images.get(0), param);
            } else {
                w.prepareWriteSequence(null);
                for (IIOImage img : images) {
                    w.writeToSequence(img, param);
                }
                w.endWriteSequence();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            w.dispose();
        }
        return out.toByteArray();
    }
}
