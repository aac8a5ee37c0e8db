package dev.phi4ee.core.vision;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.SplittableRandom;

/** Synthetic test content: photo-like gradients with edges and noise, and rendered text. */
final class TestImages {

    private TestImages() {}

    /** Smooth gradients, hard edges and seeded noise; deterministic. */
    static RgbImage synthetic(int w, int h, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        byte[] rgb = new byte[w * h * 3];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int o = (y * w + x) * 3;
                int edge = ((x / 7) + (y / 5)) % 2 == 0 ? 60 : 0;
                rgb[o] = (byte) Math.min(255, x * 255 / Math.max(1, w - 1) * 3 / 4 + edge / 2 + rnd.nextInt(8));
                rgb[o + 1] = (byte) Math.min(255, y * 255 / Math.max(1, h - 1) * 3 / 4 + edge / 3 + rnd.nextInt(8));
                rgb[o + 2] = (byte) Math.min(255, ((x + y) % 64) * 3 + edge + rnd.nextInt(8));
            }
        }
        return new RgbImage(w, h, rgb);
    }

    /** A Java2D drawing: gradient background, shapes and a line of text. */
    static BufferedImage drawing(int w, int h, int type) {
        BufferedImage img = new BufferedImage(w, h, type);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setPaint(new GradientPaint(0, 0, new Color(30, 90, 200), w, h, new Color(250, 220, 40)));
        g.fillRect(0, 0, w, h);
        g.setColor(new Color(200, 30, 30));
        g.fillOval(w / 8, h / 8, w / 3, h / 3);
        g.setColor(Color.BLACK);
        g.setStroke(new BasicStroke(3));
        g.drawRect(w / 2, h / 2, w / 3, h / 4);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, Math.max(10, h / 8)));
        g.drawString("Invoice 42", w / 10, h * 9 / 10);
        g.dispose();
        return img;
    }
}
