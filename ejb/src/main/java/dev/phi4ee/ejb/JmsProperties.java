package dev.phi4ee.ejb;

/** Message properties of the request queue protocol (JMS property names must be Java identifiers). */
public final class JmsProperties {

    /** BytesMessage requests: the prompt accompanying the media body. */
    public static final String PROMPT = "phi4Prompt";

    public static final String SYSTEM_PROMPT = "phi4SystemPrompt";
    /** BytesMessage requests: MIME type of the body, overriding sniffing. */
    public static final String MEDIA_TYPE = "phi4MediaType";

    public static final String MAX_NEW_TOKENS = "phi4MaxNewTokens";
    public static final String TEMPERATURE = "phi4Temperature";
    public static final String TOP_P = "phi4TopP";
    public static final String TOP_K = "phi4TopK";
    public static final String SEED = "phi4Seed";
    /** Comma-separated stop strings. */
    public static final String STOP_SEQUENCES = "phi4StopSequences";

    public static final String TIMEOUT_MILLIS = "phi4TimeoutMillis";

    /**
     * On replies: {@code OK}, or {@code INVALID} (the request can never succeed: do not resend; it is in the
     * dead-letter queue). Transient failures are not answered; the message is redelivered by the broker.
     */
    public static final String STATUS = "phi4Status";

    public static final String FINISH_REASON = "phi4FinishReason";

    /**
     * On replies: the delivery of the request that was answered ({@code JMSXDeliveryCount}: 1 = the first); a
     * redelivery answered from the result of an earlier one says so with its own count.
     */
    public static final String DELIVERY = "phi4Delivery";

    /** On dead letters: why the request can never succeed. */
    public static final String ERROR = "phi4Error";

    /** On dead letters: the {@code JMSMessageID} of the request. */
    public static final String ORIGINAL_MESSAGE_ID = "phi4OriginalMessageID";

    private JmsProperties() {}
}
