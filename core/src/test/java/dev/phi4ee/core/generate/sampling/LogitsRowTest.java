package dev.phi4ee.core.generate.sampling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.phi4ee.core.api.TensorFloatType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class LogitsRowTest {

    @ParameterizedTest
    @EnumSource(TensorFloatType.class)
    void argmaxEqualsReferenceArgmaxOnRandomRows(TensorFloatType type) {
        Random random = new Random(7);
        for (int trial = 0; trial < 200; trial++) {
            float[] values = new float[1 + random.nextInt(3000)];
            for (int i = 0; i < values.length; i++) {
                values[i] = (float) (random.nextGaussian() * 8);
            }
            float[] held = type == TensorFloatType.FLOAT16 ? Rows.roundedToHalf(values) : values;
            assertThat(Rows.of(type, values).argmax()).isEqualTo(firstArgmax(held));
        }
    }

    @ParameterizedTest
    @EnumSource(TensorFloatType.class)
    void argmaxTakesTheFirstOfEqualMaxima(TensorFloatType type) {
        assertThat(Rows.of(type, 1f, 5f, -2f, 5f, 5f).argmax()).isEqualTo(1);
    }

    @Test
    void argmaxIgnoresNanAndReportsRowsWithoutFiniteValues() {
        assertThat(Rows.of(Float.NaN, 2f, Float.NaN, 3f).argmax()).isEqualTo(3);
        assertThat(Rows.of(Float.NaN, Float.NEGATIVE_INFINITY).argmax()).isEqualTo(-1);
    }

    @Test
    void getReadsFp16ValuesWidened() {
        LogitsRow row = Rows.of(TensorFloatType.FLOAT16, 0.1f, -65504f, 3.5f);
        assertThat(row.get(0)).isEqualTo(Float.float16ToFloat(Float.floatToFloat16(0.1f)));
        assertThat(row.get(1)).isEqualTo(-65504f);
        assertThat(row.get(2)).isEqualTo(3.5f);
        assertThat(row.size()).isEqualTo(3);
    }

    @Test
    void copyDividesByTheTemperatureAndTurnsNanIntoNegativeInfinity() {
        float[] out = new float[3];
        Rows.of(1f, Float.NaN, -3f).copyTo(out, 2f, new int[4]);
        assertThat(out).containsExactly(0.5f, Float.NEGATIVE_INFINITY, -1.5f);
    }

    @Test
    void rejectsForeignByteOrderAndRowsPastTheLimit() {
        ByteBuffer buffer = ByteBuffer.allocateDirect(40);
        ByteOrder foreign =
                ByteOrder.nativeOrder() == ByteOrder.BIG_ENDIAN ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN;
        assertThatThrownBy(() -> LogitsRow.of(buffer.order(foreign), TensorFloatType.FLOAT32, 0, 10))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("native byte order");
        ByteBuffer nativeBuffer = ByteBuffer.allocateDirect(40).order(ByteOrder.nativeOrder());
        assertThat(LogitsRow.of(nativeBuffer, TensorFloatType.FLOAT16, 10, 10).size())
                .isEqualTo(10);
        assertThatThrownBy(() -> LogitsRow.of(nativeBuffer, TensorFloatType.FLOAT32, 1, 10))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("exceeds the buffer limit of 40 bytes");
    }

    private static int firstArgmax(float[] values) {
        int best = 0;
        for (int i = 1; i < values.length; i++) {
            if (values[i] > values[best]) {
                best = i;
            }
        }
        return best;
    }
}
