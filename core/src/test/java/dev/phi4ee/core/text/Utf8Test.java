package dev.phi4ee.core.text;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class Utf8Test {
    @Test
    void validTextDecodesLikeTheJdk() {
        String text = "aé€😀\u0000\uFFFF𐐀";
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        assertThat(Utf8.decode(bytes, 0, bytes.length)).isEqualTo(text);
    }

    /** The example of Unicode §3.9 (U+FFFD substitution of maximal subparts). */
    @Test
    void oneReplacementPerMaximalSubpart() {
        byte[] bytes = hex("61 F1 80 80 E1 80 C2 62 80 63 80 BF 64");
        assertThat(Utf8.decode(bytes, 0, bytes.length)).isEqualTo("a\uFFFD\uFFFD\uFFFDb\uFFFDc\uFFFD\uFFFDd");
        byte[] surrogate = hex("ED A0 80 41");
        assertThat(Utf8.decode(surrogate, 0, surrogate.length)).isEqualTo("\uFFFD\uFFFD\uFFFDA");
        byte[] overlong = hex("C0 AF E0 80 AF");
        assertThat(Utf8.decode(overlong, 0, overlong.length)).isEqualTo("\uFFFD\uFFFD\uFFFD\uFFFD\uFFFD");
        byte[] truncated = hex("E2 82");
        assertThat(Utf8.decode(truncated, 0, truncated.length)).isEqualTo("\uFFFD");
    }

    @Test
    void splittingAtTheCompletePrefixNeverChangesTheText() {
        SplittableRandom random = new SplittableRandom(3);
        for (int n = 0; n < 50_000; n++) {
            byte[] bytes = new byte[1 + random.nextInt(10)];
            for (int i = 0; i < bytes.length; i++) {
                bytes[i] = (byte) (random.nextInt(3) == 0 ? random.nextInt(0x80) : 0x80 + random.nextInt(0x80));
            }
            int cut = Utf8.completePrefix(bytes, bytes.length);
            assertThat(Utf8.decode(bytes, 0, cut) + Utf8.decode(bytes, cut, bytes.length))
                    .isEqualTo(Utf8.decode(bytes, 0, bytes.length));
            assertThat(Utf8.decode(bytes, 0, cut)).doesNotEndWith("\uD83D"); // never half a surrogate pair
        }
    }

    private static byte[] hex(String s) {
        String[] parts = s.split(" ");
        byte[] bytes = new byte[parts.length];
        for (int i = 0; i < parts.length; i++) {
            bytes[i] = (byte) Integer.parseInt(parts[i], 16);
        }
        return bytes;
    }
}
