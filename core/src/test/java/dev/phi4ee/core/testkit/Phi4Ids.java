package dev.phi4ee.core.testkit;

/** The release's fixed vocabulary facts (reference §2.2, §6.2, §10.1) that the test models reproduce. */
public final class Phi4Ids {
    public static final int VOCAB_SIZE = 200_064;
    public static final int BOS = 199_999;
    public static final int PAD = 199_999;
    public static final int ENDOFTEXT = 199_999;
    public static final int END = 200_020;
    public static final int IMAGE_TOKEN = 200_010;
    public static final int AUDIO_TOKEN = 200_011;
    /** {@code eos_token_id} of genai_config.json, in the release's order. */
    public static final int[] EOS = {END, ENDOFTEXT};

    private Phi4Ids() {}
}
