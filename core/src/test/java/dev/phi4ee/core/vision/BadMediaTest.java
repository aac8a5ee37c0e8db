package dev.phi4ee.core.vision;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.phi4ee.core.api.InvalidInputException;
import dev.phi4ee.core.api.Media;
import dev.phi4ee.core.api.MediaTooLargeException;
import dev.phi4ee.core.api.TensorFloatType;
import dev.phi4ee.core.api.UnsupportedMediaException;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Bad input gives a typed error with a clear message, and the preprocessor stays usable afterwards. */
class BadMediaTest {

    private final ImagePreprocessor pre = new ImagePreprocessor(VisionProcessorConfig.defaults(), 4_000_000, 3, 72);

    @AfterEach
    void stillUsable() {
        byte[] png = MediaEncoders.write(TestImages.drawing(60, 40, BufferedImage.TYPE_3BYTE_BGR), "png");
        List<RgbImage> pages = pre.decode(Media.of(png));
        try (VisionInputs in = pre.preprocess(pages, TensorFloatType.FLOAT16)) {
            assertThat(in.numImages()).isEqualTo(1);
        }
    }

    @Test
    void emptyInput() {
        assertThatThrownBy(() -> pre.decode(Media.of(new byte[0])))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("empty");
    }

    @Test
    void unknownBytesAndAudioAreUnsupported() {
        assertThatThrownBy(() -> pre.decode(new Media("hello, world".getBytes(StandardCharsets.UTF_8), null, "x.png")))
                .isInstanceOf(UnsupportedMediaException.class)
                .hasMessageContaining("x.png")
                .hasMessageContaining("not a supported image");
        byte[] wav = Arrays.copyOf("RIFF\0\0\0\0WAVEfmt ".getBytes(StandardCharsets.US_ASCII), 44);
        assertThatThrownBy(() -> pre.decode(Media.of(wav)))
                .isInstanceOf(UnsupportedMediaException.class)
                .hasMessageContaining("audio");
    }

    @Test
    void truncatedFilesAreRejected() {
        BufferedImage img = TestImages.drawing(200, 150, BufferedImage.TYPE_3BYTE_BGR);
        for (String format : List.of("jpeg", "png", "bmp", "gif")) {
            byte[] full =
                    "jpeg".equals(format) ? MediaEncoders.jpeg(img, 0.9f, false) : MediaEncoders.write(img, format);
            byte[] half = Arrays.copyOf(full, full.length / 2);
            assertThatThrownBy(() -> pre.decode(new Media(half, null, "cut." + format)))
                    .as(format)
                    .isInstanceOf(InvalidInputException.class)
                    .hasMessageContaining("cut." + format);
        }
        byte[] tiff = MediaEncoders.tiff(List.of(img), "LZW");
        assertThatThrownBy(() -> pre.decode(Media.of(Arrays.copyOf(tiff, tiff.length / 3))))
                .isInstanceOf(InvalidInputException.class);
        byte[] pdf = MediaEncoders.pdf(1, null, null);
        assertThatThrownBy(() -> pre.decode(Media.of(Arrays.copyOf(pdf, 20))))
                .isInstanceOf(InvalidInputException.class);
    }

    @Test
    void corruptBodyBehindAValidSignature() {
        byte[] jpeg = MediaEncoders.jpeg(TestImages.drawing(64, 64, BufferedImage.TYPE_3BYTE_BGR), 0.9f, false);
        byte[] garbage = jpeg.clone();
        for (int i = 4; i < garbage.length; i++) {
            garbage[i] = (byte) (i * 31);
        }
        assertThatThrownBy(() -> pre.decode(Media.of(garbage))).isInstanceOf(InvalidInputException.class);
    }

    @Test
    void decompressionBombIsRefusedFromTheHeader() {
        // A 60000×60000 PNG header with no pixel data: refused before any decoding or allocation.
        byte[] bomb = pngHeaderOnly(60_000, 60_000);
        assertThatThrownBy(() -> pre.probe(Media.of(bomb))).isInstanceOf(MediaTooLargeException.class);
        assertThatThrownBy(() -> pre.decode(new Media(bomb, null, "bomb.png")))
                .isInstanceOf(MediaTooLargeException.class)
                .hasMessageContaining("3600000000 pixels")
                .hasMessageContaining("maxImagePixels");
    }

    @Test
    void tooManyPagesAndTooLargePages() {
        BufferedImage page = new BufferedImage(40, 40, BufferedImage.TYPE_BYTE_BINARY);
        byte[] tiff = MediaEncoders.tiff(List.of(page, page, page, page), "CCITT T.6");
        assertThatThrownBy(() -> pre.probe(Media.of(tiff))).isInstanceOf(MediaTooLargeException.class);
        assertThatThrownBy(() -> pre.decode(Media.of(tiff)))
                .isInstanceOf(MediaTooLargeException.class)
                .hasMessageContaining("4 pages exceed the limit of 3");
        assertThatThrownBy(() -> pre.decode(Media.of(MediaEncoders.pdf(4, null, null))))
                .isInstanceOf(MediaTooLargeException.class)
                .hasMessageContaining("maxDocumentPages");
        // A4 at 600 DPI is 4960×7016 pixels, over the 4 MP budget of this preprocessor.
        ImagePreprocessor hiDpi = new ImagePreprocessor(VisionProcessorConfig.defaults(), 4_000_000, 3, 600);
        assertThatThrownBy(() -> hiDpi.decode(Media.of(MediaEncoders.pdf(1, null, null))))
                .isInstanceOf(MediaTooLargeException.class)
                .hasMessageContaining("600 DPI");
    }

    @Test
    void passwordProtectedPdfIsRefused() {
        byte[] pdf = MediaEncoders.pdf(1, "user-secret", "owner-secret");
        assertThatThrownBy(() -> pre.decode(new Media(pdf, null, "secret.pdf")))
                .isInstanceOf(UnsupportedMediaException.class)
                .hasMessageContaining("secret.pdf")
                .hasMessageContaining("encrypted");
    }

    private static byte[] pngHeaderOnly(int w, int h) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});
        ByteBuffer ihdr =
                ByteBuffer.allocate(13).putInt(w).putInt(h).put((byte) 8).put((byte) 2);
        chunk(out, "IHDR", ihdr.put((byte) 0).put((byte) 0).put((byte) 0).array());
        chunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
        byte[] t = type.getBytes(StandardCharsets.US_ASCII);
        out.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
        out.writeBytes(t);
        out.writeBytes(data);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }
}
