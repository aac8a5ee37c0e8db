package dev.phi4ee.core.api;

/** What a piece of media becomes in the model: image rows, or audio rows. Documents (PDF) render to images. */
public enum MediaKind {
    IMAGE,
    DOCUMENT,
    AUDIO
}
