package dev.phi4ee.ejb;

import jakarta.annotation.Resource;
import jakarta.ejb.Stateless;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.inject.Inject;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.Destination;
import jakarta.jms.JMSContext;
import jakarta.jms.JMSException;
import jakarta.jms.JMSRuntimeException;
import jakarta.jms.TextMessage;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Sends JSON replies, each at once and on its own (the listener runs without a transaction,
 * docs/decisions/jms-delivery.md). A failure surfaces as {@link JMSRuntimeException}.
 */
@Stateless
@TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
public class ReplySender {

    @Resource
    ConnectionFactory connectionFactory;

    @Inject
    JsonCodec json;

    /** @param delivery the request's delivery count when it was answered ({@link JmsProperties#DELIVERY}) */
    public void sendResult(Destination replyTo, String correlationId, Phi4Response response, int delivery) {
        send(replyTo, correlationId, json.write(response), "OK", response.getFinishReason(), delivery);
    }

    public void sendError(
            Destination replyTo,
            String correlationId,
            String status,
            String error,
            List<String> details,
            int delivery) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", status);
        body.put("error", error);
        body.put("details", details);
        send(replyTo, correlationId, json.write(body), status, null, delivery);
    }

    private void send(
            Destination replyTo, String correlationId, String text, String status, String finishReason, int delivery) {
        try (JMSContext context = connectionFactory.createContext()) {
            TextMessage reply = context.createTextMessage(text);
            reply.setJMSCorrelationID(correlationId);
            reply.setStringProperty(JmsProperties.STATUS, status);
            reply.setIntProperty(JmsProperties.DELIVERY, delivery);
            if (finishReason != null) {
                reply.setStringProperty(JmsProperties.FINISH_REASON, finishReason);
            }
            context.createProducer().send(replyTo, reply);
        } catch (JMSException e) {
            throw new JMSRuntimeException("phi4: cannot build the reply: " + e.getMessage(), e.getErrorCode(), e);
        }
    }
}
