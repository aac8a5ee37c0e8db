package dev.phi4ee.samples.routes;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import javax.imageio.ImageIO;

/** A scan drawn with Java2D and a synthesised call recording (16 kHz mono PCM WAV). */
final class SampleMedia {

    private SampleMedia() {}

    static byte[] scanPng() {
        BufferedImage image = new BufferedImage(300, 200, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, 300, 200);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SERIF, Font.PLAIN, 18));
        g.drawString("INVOICE 2026-11", 20, 60);
        g.drawString("Total: 99.00 EUR", 20, 120);
        g.dispose();
        try (ByteArrayOutputStream out = new ByteArrayOutputStream()) {
            ImageIO.write(image, "png", out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A one-page PDF with a line of text (a small page keeps the rendered image, and its tokens, modest). */
    static byte[] pdf() {
        try (org.apache.pdfbox.pdmodel.PDDocument doc = new org.apache.pdfbox.pdmodel.PDDocument();
                ByteArrayOutputStream out = new ByteArrayOutputStream()) {
            var page = new org.apache.pdfbox.pdmodel.PDPage(new org.apache.pdfbox.pdmodel.common.PDRectangle(144, 72));
            doc.addPage(page);
            try (var text = new org.apache.pdfbox.pdmodel.PDPageContentStream(doc, page)) {
                text.beginText();
                text.setFont(
                        new org.apache.pdfbox.pdmodel.font.PDType1Font(
                                org.apache.pdfbox.pdmodel.font.Standard14Fonts.FontName.HELVETICA),
                        10);
                text.newLineAtOffset(10, 36);
                text.showText("Contract 7: 12 months");
                text.endText();
            }
            doc.save(out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] wav(double seconds) {
        int rate = 16_000;
        int n = (int) (seconds * rate);
        ByteBuffer b = ByteBuffer.allocate(44 + 2 * n).order(ByteOrder.LITTLE_ENDIAN);
        b.put("RIFF".getBytes(StandardCharsets.US_ASCII)).putInt(36 + 2 * n);
        b.put("WAVEfmt ".getBytes(StandardCharsets.US_ASCII)).putInt(16);
        b.putShort((short) 1).putShort((short) 1).putInt(rate).putInt(2 * rate).putShort((short) 2);
        b.putShort((short) 16);
        b.put("data".getBytes(StandardCharsets.US_ASCII)).putInt(2 * n);
        for (int i = 0; i < n; i++) {
            double t = (double) i / rate;
            double voice = Math.sin(2 * Math.PI * 180 * t) + 0.5 * Math.sin(2 * Math.PI * 720 * t);
            b.putShort((short) (6000 * voice * (0.6 + 0.4 * Math.sin(2 * Math.PI * 4 * t))));
        }
        return b.array();
    }
}
