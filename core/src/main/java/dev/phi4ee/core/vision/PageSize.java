package dev.phi4ee.core.vision;

/** Pixel size of one image or rendered document page, known from headers before decoding. */
public record PageSize(int width, int height) {}
