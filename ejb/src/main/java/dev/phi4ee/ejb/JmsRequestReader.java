package dev.phi4ee.ejb;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.jms.BytesMessage;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.TextMessage;
import java.util.Arrays;
import java.util.List;

/**
 * Reads a request message: a {@link TextMessage} holds a JSON {@link Phi4Request}; a {@link BytesMessage} holds one
 * media item, with the prompt and options in {@link JmsProperties message properties}.
 */
@ApplicationScoped
public class JmsRequestReader {

    @Inject
    JsonCodec json;

    public Phi4Request read(Message message) throws JMSException {
        return switch (message) {
            case TextMessage text -> json.readRequest(text.getText());
            case BytesMessage bytes -> fromBytes(bytes);
            default ->
                throw new MalformedMessageException("unsupported message type "
                        + message.getClass().getSimpleName() + ": send a TextMessage (JSON) or a BytesMessage (media)");
        };
    }

    private static Phi4Request fromBytes(BytesMessage message) throws JMSException {
        long length = message.getBodyLength();
        if (length > MediaInput.MAX_BYTES) {
            throw new MalformedMessageException("media body of " + length + " bytes exceeds " + MediaInput.MAX_BYTES);
        }
        byte[] data = new byte[(int) length];
        message.readBytes(data);
        Phi4Request r = new Phi4Request();
        r.setMedia(List.of(new MediaInput(data, message.getStringProperty(JmsProperties.MEDIA_TYPE), null)));
        r.setPrompt(message.getStringProperty(JmsProperties.PROMPT));
        r.setSystemPrompt(message.getStringProperty(JmsProperties.SYSTEM_PROMPT));
        try {
            r.setMaxNewTokens(integer(message, JmsProperties.MAX_NEW_TOKENS));
            r.setTopK(integer(message, JmsProperties.TOP_K));
            r.setTemperature(decimal(message, JmsProperties.TEMPERATURE));
            r.setTopP(decimal(message, JmsProperties.TOP_P));
            r.setSeed(message.propertyExists(JmsProperties.SEED) ? message.getLongProperty(JmsProperties.SEED) : null);
            r.setTimeoutMillis(
                    message.propertyExists(JmsProperties.TIMEOUT_MILLIS)
                            ? message.getLongProperty(JmsProperties.TIMEOUT_MILLIS)
                            : null);
        } catch (jakarta.jms.MessageFormatException e) {
            throw new MalformedMessageException("bad option property: " + e.getMessage(), e);
        }
        String stops = message.getStringProperty(JmsProperties.STOP_SEQUENCES);
        if (stops != null && !stops.isEmpty()) {
            r.setStopSequences(
                    Arrays.stream(stops.split(",")).filter(s -> !s.isEmpty()).toList());
        }
        return r;
    }

    private static Integer integer(Message m, String name) throws JMSException {
        return m.propertyExists(name) ? m.getIntProperty(name) : null;
    }

    private static Double decimal(Message m, String name) throws JMSException {
        return m.propertyExists(name) ? m.getDoubleProperty(name) : null;
    }
}
