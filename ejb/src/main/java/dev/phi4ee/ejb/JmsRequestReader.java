package dev.phi4ee.ejb;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.jms.BytesMessage;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageFormatException;
import jakarta.jms.TextMessage;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalLong;

/**
 * Reads a request message: a {@link TextMessage} holds a JSON {@link Phi4Request}; a {@link BytesMessage} holds one
 * media item, with the prompt and options in {@link JmsProperties message properties}.
 *
 * <p>The size limit is checked before the body is read or decoded, from the size the message declares: Artemis's
 * {@value #ARTEMIS_LARGE_SIZE} property on large messages (any type; their body stays on the broker until read), else
 * {@link BytesMessage#getBodyLength()}. A {@code TextMessage} below the broker client's large-message threshold (100
 * KiB by default) declares no size: its text is already in memory and is checked after {@code getText()}.
 */
@ApplicationScoped
public class JmsRequestReader {

    /** Artemis: the body size of a large message, set by the client that sent it. */
    static final String ARTEMIS_LARGE_SIZE = "_AMQ_LARGE_SIZE";

    @Inject
    JsonCodec json;

    /**
     * @throws MessageTooLargeException over {@code maxBytes}, before the body is read
     * @throws MalformedMessageException when the message is no request (never worth redelivering)
     * @throws JMSException when the broker fails (worth redelivering)
     */
    public Phi4Request read(Message message, long maxBytes) throws JMSException {
        OptionalLong declared = declaredSize(message);
        if (declared.isPresent() && declared.getAsLong() > maxBytes) {
            throw tooLarge(declared.getAsLong(), maxBytes);
        }
        return switch (message) {
            case TextMessage text -> fromText(text, maxBytes);
            case BytesMessage bytes -> fromBytes(bytes);
            default ->
                throw new MalformedMessageException("unsupported message type "
                        + message.getClass().getSimpleName() + ": send a TextMessage (JSON) or a BytesMessage (media)");
        };
    }

    /** The body size the message declares without its body being read, if it does. */
    static OptionalLong declaredSize(Message message) throws JMSException {
        if (message.propertyExists(ARTEMIS_LARGE_SIZE)) {
            try {
                return OptionalLong.of(message.getLongProperty(ARTEMIS_LARGE_SIZE));
            } catch (MessageFormatException | NumberFormatException e) {
                // not Artemis's: fall through
            }
        }
        if (message instanceof BytesMessage bytes) {
            return OptionalLong.of(bytes.getBodyLength());
        }
        return OptionalLong.empty();
    }

    private static MessageTooLargeException tooLarge(long size, long maxBytes) {
        return new MessageTooLargeException("message body of " + size + " bytes exceeds "
                + EngineSettings.JMS_MAX_MESSAGE_BYTES + " (" + maxBytes + " bytes)");
    }

    private Phi4Request fromText(TextMessage message, long maxBytes) throws JMSException {
        String text = message.getText();
        if (text == null || text.isBlank()) {
            throw new MalformedMessageException("the message is empty: send a JSON request");
        }
        if (text.length() > maxBytes) { // a char is at least one UTF-8 byte
            throw new MessageTooLargeException("message text of " + text.length() + " characters exceeds "
                    + EngineSettings.JMS_MAX_MESSAGE_BYTES + " (" + maxBytes + " bytes)");
        }
        return json.readRequest(text);
    }

    private static Phi4Request fromBytes(BytesMessage message) throws JMSException {
        long length = message.getBodyLength();
        if (length == 0) {
            throw new MalformedMessageException("the message has no body: send the media as the BytesMessage body");
        }
        if (length > MediaInput.MAX_BYTES) {
            throw new MalformedMessageException("media body of " + length + " bytes exceeds " + MediaInput.MAX_BYTES);
        }
        Phi4Request r = new Phi4Request();
        try {
            r.setPrompt(message.getStringProperty(JmsProperties.PROMPT));
            r.setSystemPrompt(message.getStringProperty(JmsProperties.SYSTEM_PROMPT));
            r.setMaxNewTokens(integer(message, JmsProperties.MAX_NEW_TOKENS));
            r.setTopK(integer(message, JmsProperties.TOP_K));
            r.setTemperature(decimal(message, JmsProperties.TEMPERATURE));
            r.setTopP(decimal(message, JmsProperties.TOP_P));
            r.setSeed(longValue(message, JmsProperties.SEED));
            r.setTimeoutMillis(longValue(message, JmsProperties.TIMEOUT_MILLIS));
            String stops = message.getStringProperty(JmsProperties.STOP_SEQUENCES);
            if (stops != null && !stops.isEmpty()) {
                r.setStopSequences(Arrays.stream(stops.split(","))
                        .filter(s -> !s.isEmpty())
                        .toList());
            }
            String mediaType = message.getStringProperty(JmsProperties.MEDIA_TYPE);
            byte[] data = new byte[(int) length];
            message.readBytes(data);
            r.setMedia(List.of(new MediaInput(data, mediaType, null)));
        } catch (MessageFormatException | NumberFormatException e) {
            throw new MalformedMessageException("bad option property: " + e.getMessage(), e);
        }
        return r;
    }

    // JMS converts a String property on request and throws NumberFormatException when it is no number.

    private static Integer integer(Message m, String name) throws JMSException {
        try {
            return m.propertyExists(name) ? m.getIntProperty(name) : null;
        } catch (NumberFormatException e) {
            throw badNumber(m, name, "an integer", e);
        }
    }

    private static Long longValue(Message m, String name) throws JMSException {
        try {
            return m.propertyExists(name) ? m.getLongProperty(name) : null;
        } catch (NumberFormatException e) {
            throw badNumber(m, name, "an integer", e);
        }
    }

    private static Double decimal(Message m, String name) throws JMSException {
        try {
            return m.propertyExists(name) ? m.getDoubleProperty(name) : null;
        } catch (NumberFormatException e) {
            throw badNumber(m, name, "a number", e);
        }
    }

    private static MalformedMessageException badNumber(Message m, String name, String what, Exception cause)
            throws JMSException {
        return new MalformedMessageException(
                "property " + name + " must be " + what + ", was '" + m.getObjectProperty(name) + "'", cause);
    }
}
