package dev.phi4ee.core.audio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RealFftTest {
    @ParameterizedTest
    @ValueSource(ints = {4, 8, 16, 64, 256, 512, 1024})
    void matchesADirectDft(int n) {
        RealFft fft = new RealFft(n);
        Random r = new Random(n);
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = r.nextGaussian() * 1000;
        }
        double[] re = new double[n / 2 + 1];
        double[] im = new double[n / 2 + 1];
        fft.forward(x, re, im, new double[n / 2], new double[n / 2]);
        for (int k = 0; k <= n / 2; k++) {
            double er = 0;
            double ei = 0;
            for (int i = 0; i < n; i++) {
                double a = -2 * Math.PI * ((long) k * i % n) / n;
                er += x[i] * Math.cos(a);
                ei += x[i] * Math.sin(a);
            }
            assertThat(re[k]).as("re[%d]", k).isCloseTo(er, within(1e-8 * n * 1000));
            assertThat(im[k]).as("im[%d]", k).isCloseTo(ei, within(1e-8 * n * 1000));
        }
    }
}
