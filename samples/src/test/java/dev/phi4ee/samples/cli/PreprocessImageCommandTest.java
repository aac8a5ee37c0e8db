package dev.phi4ee.samples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.phi4ee.core.testkit.HostilePdfs;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PreprocessImageCommandTest {

    @TempDir
    Path dir;

    @Test
    void writesNumpyFilesAndTokenCounts() throws IOException {
        Path a = image(640, 480, "a.png", "png"); // 5 crops, 1065 tokens (§7.12)
        Path b = image(448, 448, "b.dat", "jpeg"); // 2 crops, 545 tokens; extension is not trusted
        Path out = dir.resolve("out");
        int rc = Phi4Cli.run("preprocess-image", "--out", out.toString(), a.toString(), b.toString());
        assertThat(rc).isZero();

        Npy px = Npy.read(out.resolve("pixel_values.npy"));
        assertThat(px.descr).isEqualTo("<f4");
        assertThat(px.shape).containsExactly(2, 5, 3, 448, 448);
        ByteBuffer d = px.data;
        // Image 0 crop 4 (bottom-right tile of a 2×2 grid over 896×672) has white padding below row 224.
        int crop = 448 * 448 * 3;
        assertThat(d.getFloat((4 * crop + 300 * 448 + 5) * 4)).isEqualTo(1f);
        // Image 1 is padded from 2 to 5 crops with zeros.
        assertThat(d.getFloat((5 * crop + 3 * crop + 1234) * 4)).isZero();

        Npy sizes = Npy.read(out.resolve("image_sizes.npy"));
        assertThat(sizes.descr).isEqualTo("<i8");
        assertThat(sizes.shape).containsExactly(2, 2);
        assertThat(new long[] {
                    sizes.data.getLong(0), sizes.data.getLong(8), sizes.data.getLong(16), sizes.data.getLong(24)
                })
                .containsExactly(896, 896, 448, 448);

        Npy mask = Npy.read(out.resolve("image_attention_mask.npy"));
        assertThat(mask.shape).containsExactly(2, 5, 32, 32);
        assertThat(mask.data.getFloat(((3 * 32 + 20) * 32 + 0) * 4)).isZero(); // crop 3, row 20 ≥ 16 valid rows
        assertThat(mask.data.getFloat(((3 * 32 + 10) * 32 + 0) * 4)).isEqualTo(1f);

        assertThat(Files.readString(out.resolve("num_img_tokens.json")).trim()).isEqualTo("[1065, 545]");
    }

    @Test
    void badInputIsAClearErrorWithExitCode() throws IOException {
        Path junk = dir.resolve("junk.png");
        Files.writeString(junk, "not an image");
        assertThat(Phi4Cli.run("preprocess-image", "--out", dir.resolve("o").toString(), junk.toString()))
                .isEqualTo(1);
        assertThat(Phi4Cli.run(
                        "preprocess-image",
                        "--out",
                        dir.resolve("o").toString(),
                        "--dynamic-hd",
                        "4",
                        image(1000, 1000, "sq.png", "png").toString()))
                .isZero();
        assertThat(Files.readString(dir.resolve("o/num_img_tokens.json")).trim())
                .isEqualTo("[1329]");
    }

    /** Issue 12: a damaged PDF is one line on the CLI, with no stack trace and no PDFBox log lines around it. */
    @Test
    void hostilePdfsAreOneLineEach() throws IOException {
        String[][] cases = {
            {"cut.pdf", "cut.pdf (page 1)"}, {"font.pdf", "font 'F9'"}, {"x.pdf", "Im9"}, {"bad.pdf", "damaged"}
        };
        byte[][] pdfs = {
            HostilePdfs.truncatedInImage(),
            HostilePdfs.missingFont(),
            HostilePdfs.missingXObject(),
            HostilePdfs.damagedImageData()
        };
        for (int i = 0; i < cases.length; i++) {
            Path pdf = dir.resolve(cases[i][0]);
            Files.write(pdf, pdfs[i]);
            ModelCommandsTest.Run r = ModelCommandsTest.run(
                    "preprocess-image", "--out", dir.resolve("o").toString(), pdf.toString());
            assertThat(r.code()).as(r.err()).isEqualTo(1);
            assertThat(r.err().lines().toList()).as(cases[i][0]).hasSize(1);
            assertThat(r.err()).startsWith("error: ").contains(cases[i][1]).doesNotContain("\tat ");
        }
        // A good PDF whose standard font PDFBox substitutes: rendered with nothing on stderr.
        Path text = dir.resolve("text.pdf");
        Files.write(text, HostilePdfs.helveticaText());
        ModelCommandsTest.Run ok = ModelCommandsTest.run(
                "preprocess-image", "--out", dir.resolve("t").toString(), text.toString());
        assertThat(ok.code()).as(ok.err()).isZero();
        assertThat(ok.err()).isEmpty();
    }

    @Test
    void npyHeaderIsValidAndAligned() {
        // merge of the vision and audio NpyWriter: header() now returns magic + length + dict
        String h = new String(NpyWriter.header("<f4", new long[] {7}), java.nio.charset.StandardCharsets.ISO_8859_1)
                .substring(10);
        assertThat((10 + h.length()) % 64).isZero();
        assertThat(h)
                .startsWith("{'descr': '<f4', 'fortran_order': False, 'shape': (7,), }")
                .endsWith("\n");
    }

    private Path image(int w, int h, String name, String format) throws IOException {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
        Graphics2D g = img.createGraphics();
        g.setColor(new Color(40, 120, 200));
        g.fillRect(0, 0, w, h);
        g.setColor(Color.ORANGE);
        g.fillOval(w / 4, h / 4, w / 2, h / 2);
        g.dispose();
        Path f = dir.resolve(name);
        ImageIO.write(img, format, f.toFile());
        return f;
    }

    /** Minimal independent .npy reader: parses the header dict back. */
    record Npy(String descr, long[] shape, ByteBuffer data) {
        static Npy read(Path file) throws IOException {
            byte[] all = Files.readAllBytes(file);
            assertThat(Arrays.copyOf(all, 6)).isEqualTo(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'});
            assertThat(all[6]).isEqualTo((byte) 1);
            int len = (all[8] & 0xFF) | (all[9] & 0xFF) << 8;
            assertThat((10 + len) % 64).isZero();
            String header = new String(all, 10, len, StandardCharsets.US_ASCII);
            Matcher descr = Pattern.compile("'descr': '([^']+)'").matcher(header);
            Matcher shape = Pattern.compile("'shape': \\(([^)]*)\\)").matcher(header);
            assertThat(descr.find()).isTrue();
            assertThat(shape.find()).isTrue();
            assertThat(header).contains("'fortran_order': False");
            long[] dims = Arrays.stream(shape.group(1).split(","))
                    .map(String::trim)
                    .filter(s -> !s.isEmpty())
                    .mapToLong(Long::parseLong)
                    .toArray();
            ByteBuffer data = ByteBuffer.wrap(all, 10 + len, all.length - 10 - len)
                    .slice()
                    .order(ByteOrder.LITTLE_ENDIAN);
            int elem = descr.group(1).endsWith("8") ? 8 : 4;
            assertThat((long) data.remaining()).isEqualTo(Arrays.stream(dims).reduce(1, (x, y) -> x * y) * elem);
            return new Npy(descr.group(1), dims, data);
        }
    }
}
