package dev.phi4ee.core.vision;

import java.awt.color.ColorSpace;

/** A minimal CMYK colour space for building CMYK rasters in tests (its conversions are never used by the code). */
final class CmykTestColorSpace extends ColorSpace {
    private static final long serialVersionUID = 1L;

    CmykTestColorSpace() {
        super(TYPE_CMYK, 4);
    }

    @Override
    public float[] toRGB(float[] v) {
        return new float[] {(1 - v[0]) * (1 - v[3]), (1 - v[1]) * (1 - v[3]), (1 - v[2]) * (1 - v[3])};
    }

    @Override
    public float[] fromRGB(float[] rgb) {
        return new float[] {1 - rgb[0], 1 - rgb[1], 1 - rgb[2], 0};
    }

    @Override
    public float[] toCIEXYZ(float[] v) {
        return ColorSpace.getInstance(CS_sRGB).toCIEXYZ(toRGB(v));
    }

    @Override
    public float[] fromCIEXYZ(float[] xyz) {
        return fromRGB(ColorSpace.getInstance(CS_sRGB).fromCIEXYZ(xyz));
    }
}
