package dev.phi4ee.ejb;

import jakarta.annotation.Resource;
import jakarta.ejb.Stateless;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.jms.BytesMessage;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.JMSContext;
import jakarta.jms.JMSException;
import jakarta.jms.JMSRuntimeException;
import jakarta.jms.Message;
import jakarta.jms.Queue;
import jakarta.jms.TextMessage;
import java.util.Enumeration;
import javax.naming.InitialContext;
import javax.naming.NamingException;

/**
 * Moves a request that can never succeed to the dead-letter queue at once (a copy: body, properties and the
 * reason), instead of letting the broker redeliver it until its attempts run out. The queue is the JNDI name in
 * {@value #SETTING} (default WildFly's {@value #DEFAULT_QUEUE}).
 */
@Stateless
@TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
public class DeadLetters {

    public static final String SETTING = "phi4.jms.deadLetterQueue";
    public static final String DEFAULT_QUEUE = "java:/jms/queue/DLQ";

    @Resource
    ConnectionFactory connectionFactory;

    private volatile Queue queue;

    /**
     * @param withBody false when the body is not to be read (the message exceeded the size limit): the copy then
     *     holds the properties and the reason only
     */
    public void send(Message original, String correlationId, String reason, boolean withBody) {
        try (JMSContext context = connectionFactory.createContext()) {
            Message copy = copyBody(context, original, withBody);
            Enumeration<?> names = original.getPropertyNames();
            while (names.hasMoreElements()) {
                String name = (String) names.nextElement();
                if (!name.startsWith("JMSX") && !name.startsWith("JMS_") && !name.startsWith("_")) {
                    copy.setObjectProperty(name, original.getObjectProperty(name));
                }
            }
            copy.setJMSCorrelationID(correlationId);
            copy.setStringProperty(JmsProperties.STATUS, "INVALID");
            copy.setStringProperty(JmsProperties.ERROR, reason);
            copy.setStringProperty(JmsProperties.ORIGINAL_MESSAGE_ID, original.getJMSMessageID());
            context.createProducer().send(queue(), copy);
        } catch (JMSException e) {
            throw new JMSRuntimeException(
                    "phi4: cannot copy the message to the dead-letter queue: " + e.getMessage(), e.getErrorCode(), e);
        }
    }

    private static Message copyBody(JMSContext context, Message original, boolean withBody) throws JMSException {
        if (withBody && original instanceof TextMessage text) {
            return context.createTextMessage(text.getText());
        }
        if (withBody && original instanceof BytesMessage bytes) {
            BytesMessage copy = context.createBytesMessage();
            byte[] body = original.getBody(byte[].class);
            if (body != null) {
                copy.writeBytes(body);
            }
            return copy;
        }
        return context.createMessage();
    }

    private Queue queue() {
        Queue q = queue;
        if (q == null) {
            String name = EngineSettings.fromEnvironment().get(SETTING).orElse(DEFAULT_QUEUE);
            try {
                q = (Queue) new InitialContext().lookup(name);
            } catch (NamingException | ClassCastException e) {
                throw new JMSRuntimeException("phi4: no dead-letter queue at " + name + " (set " + SETTING + ")");
            }
            queue = q;
        }
        return q;
    }
}
