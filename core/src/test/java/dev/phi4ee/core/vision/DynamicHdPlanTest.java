package dev.phi4ee.core.vision;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.phi4ee.core.api.InvalidInputException;
import java.util.Arrays;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Reference §7.12 worked examples, §7.3 candidate order and §7.13's dynamic_hd = 4 case, all exact. */
class DynamicHdPlanTest {

    @ParameterizedTest(name = "{0}×{1}")
    @CsvSource({
        // W, H, searched, gw, gh, resized w, h, pad w, h, zero cols, rows, image_sizes h, w, crops+1, tokens
        "640, 480, false, 2, 2, 896, 672, 0, 224, 0, 16, 896, 896, 5, 1065",
        "448, 448, false, 1, 1, 448, 448, 0, 0, 0, 0, 448, 448, 2, 545",
        "1920, 1080, false, 5, 3, 2240, 1260, 0, 84, 0, 6, 1344, 2240, 16, 3918",
        "100, 2000, false, 1, 5, 112, 2240, 336, 0, 24, 0, 2240, 448, 6, 673",
        "300, 200, false, 1, 1, 448, 298, 0, 150, 0, 10, 448, 448, 2, 460",
        "448, 10, false, 1, 1, 448, 10, 0, 438, 0, 31, 448, 448, 2, 290",
        "3000, 200, false, 7, 1, 3136, 209, 0, 239, 0, 17, 448, 3136, 8, 1177",
        "1000, 1000, false, 3, 3, 1344, 1344, 0, 0, 0, 0, 1344, 1344, 10, 2625",
        "1344, 896, false, 3, 2, 1344, 896, 0, 0, 0, 0, 896, 1344, 7, 1841",
        "4000, 3000, true, 4, 3, 1792, 1344, 0, 0, 0, 0, 1344, 1792, 13, 3393",
        "3000, 3000, true, 6, 6, 2688, 2688, 0, 0, 0, 0, 2688, 2688, 37, 9585",
        "10000, 1000, true, 10, 1, 4480, 448, 0, 0, 0, 0, 448, 4480, 11, 2849",
        "20000, 448, true, 36, 1, 16128, 361, 0, 87, 0, 6, 448, 16128, 37, 7774",
        "448, 16128, false, 1, 36, 448, 16128, 0, 0, 0, 0, 16128, 448, 37, 10065",
    })
    void workedExamplesOfTheReference(
            int w,
            int h,
            boolean searched,
            int gw,
            int gh,
            int rw,
            int rh,
            int padW,
            int padH,
            int zc,
            int zr,
            int sizeH,
            int sizeW,
            int crops,
            int tokens) {
        DynamicHdPlan p = DynamicHdPlan.plan(w, h, 36);
        assertThat(p.searched()).isEqualTo(searched);
        assertThat(new int[] {p.gridColumns(), p.gridRows()}).containsExactly(gw, gh);
        assertThat(new int[] {p.resizedWidth(), p.resizedHeight()}).containsExactly(rw, rh);
        assertThat(new int[] {p.padRight(), p.padBottom()}).containsExactly(padW, padH);
        assertThat(new int[] {p.zeroMaskColumns(), p.zeroMaskRows()}).containsExactly(zc, zr);
        assertThat(new int[] {p.canvasHeight(), p.canvasWidth()}).containsExactly(sizeH, sizeW);
        assertThat(p.crops()).isEqualTo(crops);
        assertThat(p.numImageTokens()).isEqualTo(tokens);
    }

    @Test
    void tooExtremeAspectRatioIsTheReferenceError() {
        // §7.11: 40000×10 → grid (36,1), resized height 4.
        assertThatThrownBy(() -> DynamicHdPlan.plan(40000, 10, 36))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("aspect ratio is very extreme")
                .hasMessageContaining("40000×10");
    }

    @Test
    void emptyImagesAreRejected() {
        assertThatThrownBy(() -> DynamicHdPlan.plan(0, 10, 36)).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> DynamicHdPlan.plan(10, 0, 36)).isInstanceOf(InvalidInputException.class);
    }

    @Test
    void tinyImagesAreUpscaledToOneCrop() {
        DynamicHdPlan p = DynamicHdPlan.plan(1, 1, 36);
        assertThat(p.resizedWidth()).isEqualTo(448);
        assertThat(p.resizedHeight()).isEqualTo(448);
        assertThat(p.numImageTokens()).isEqualTo(545);
    }

    @Test
    void dynamicHdFourTakesTheLargerGridOnTheSquareTie() {
        // §7.13 HF test: 1000×1000 → 10 crops by default, 5 with dynamic_hd = 4 ((1,1)/(2,2) tie → (2,2)).
        assertThat(DynamicHdPlan.plan(1000, 1000, 36).crops()).isEqualTo(10);
        DynamicHdPlan p = DynamicHdPlan.plan(1000, 1000, 4);
        assertThat(p.searched()).isTrue();
        assertThat(p.crops()).isEqualTo(5);
        // Under half the (2,2) area the smaller grid keeps the tie.
        assertThat(DynamicHdPlan.plan(600, 600, 1).crops()).isEqualTo(2);
    }

    @Test
    void testVectorsOfOnnxruntimeExtensions() {
        // §7.13: image_sizes {1344,1344}, {896,1344}, {448,896}; tokens 2625, 1841, 735.
        assertThat(DynamicHdPlan.plan(1000, 1000, 36).numImageTokens()).isEqualTo(2625);
        assertThat(DynamicHdPlan.plan(1344, 896, 36).numImageTokens()).isEqualTo(1841);
        // The third image's size is not published; 896×380 is one with that canvas and 4 masked patch rows.
        DynamicHdPlan third = DynamicHdPlan.plan(896, 380, 36);
        assertThat(third.numImageTokens()).isEqualTo(735);
        assertThat(new int[] {third.canvasHeight(), third.canvasWidth()}).containsExactly(448, 896);
    }

    @Test
    void tokenClosedFormMatchesTheMaskDefinition() {
        // §7.10 definition: D = HD mask at even rows/cols; tokens = 256 + 16 + 1 + sum(D) + sum(first column of D).
        int[][] sizes = {{640, 480}, {100, 2000}, {300, 200}, {448, 10}, {3000, 200}, {20000, 448}, {30, 5000}};
        for (int[] s : sizes) {
            DynamicHdPlan p = DynamicHdPlan.plan(s[0], s[1], 36);
            int rows = 32 * p.gridRows();
            int cols = 32 * p.gridColumns();
            int sum = 0;
            int firstCol = 0;
            for (int i = 0; i < rows; i += 2) {
                for (int j = 0; j < cols; j += 2) {
                    boolean on = i < rows - p.zeroMaskRows() && j < cols - p.zeroMaskColumns();
                    sum += on ? 1 : 0;
                    if (j == 0) {
                        firstCol += on ? 1 : 0;
                    }
                }
            }
            assertThat(p.numImageTokens()).as("%dx%d", s[0], s[1]).isEqualTo(273 + sum + firstCol);
        }
    }

    @Test
    void candidateOrderIsTheReferenceList() {
        String expected = "(1,1),(1,2),(2,1),(3,1),(1,3),(2,2),(4,1),(1,4),(5,1),(1,5),(6,1),(3,2),(2,3),(1,6),"
                + "(7,1),(1,7),(4,2),(2,4),(1,8),(8,1),(9,1),(3,3),(1,9),(1,10),(5,2),(10,1),(2,5),(1,11),(11,1),"
                + "(6,2),(1,12),(2,6),(12,1),(3,4),(4,3),(13,1),(1,13),(14,1),(1,14),(7,2),(2,7),(1,15),(5,3),"
                + "(3,5),(15,1),(8,2),(16,1),(4,4),(1,16),(2,8),(1,17),(17,1),(18,1),(3,6),(9,2),(1,18),(6,3),"
                + "(2,9),(1,19),(19,1),(20,1),(5,4),(2,10),(1,20),(4,5),(10,2),(7,3),(1,21),(3,7),(21,1),(2,11),"
                + "(11,2),(22,1),(1,22),(1,23),(23,1),(1,24),(24,1),(6,4),(3,8),(4,6),(2,12),(8,3),(12,2),(5,5),"
                + "(1,25),(25,1),(1,26),(2,13),(13,2),(26,1),(9,3),(27,1),(3,9),(1,27),(1,28),(7,4),(14,2),(2,14),"
                + "(4,7),(28,1),(29,1),(1,29),(3,10),(15,2),(1,30),(2,15),(10,3),(5,6),(30,1),(6,5),(1,31),(31,1),"
                + "(8,4),(1,32),(4,8),(32,1),(16,2),(2,16),(1,33),(33,1),(3,11),(11,3),(34,1),(17,2),(2,17),"
                + "(1,34),(35,1),(1,35),(7,5),(5,7),(4,9),(6,6),(3,12),(18,2),(12,3),(36,1),(1,36),(9,4),(2,18)";
        String actual = Arrays.stream(CropGridCandidates.forMaxCrops(36))
                .map(g -> "(" + g[0] + "," + g[1] + ")")
                .collect(Collectors.joining(","));
        assertThat(actual).isEqualTo(expected);
    }
}
