package dev.phi4ee.ejb;

import jakarta.annotation.Resource;
import jakarta.ejb.Stateless;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.inject.Inject;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.Destination;
import jakarta.jms.JMSContext;
import jakarta.jms.TextMessage;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Sends JSON replies. A result reply joins the listener's transaction (it leaves at commit, together with the
 * acknowledgement of the request); an error reply commits on its own, so it is delivered even though the request's
 * transaction rolls back to send the request on its way to the dead-letter queue.
 */
@Stateless
public class ReplySender {

    @Resource
    ConnectionFactory connectionFactory;

    @Inject
    JsonCodec json;

    @TransactionAttribute(TransactionAttributeType.MANDATORY)
    public void sendResult(Destination replyTo, String correlationId, Phi4Response response) {
        send(replyTo, correlationId, json.write(response), "OK", response.getFinishReason());
    }

    @TransactionAttribute(TransactionAttributeType.REQUIRES_NEW)
    public void sendError(
            Destination replyTo, String correlationId, String status, String error, List<String> details) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", status);
        body.put("error", error);
        body.put("details", details);
        send(replyTo, correlationId, json.write(body), status, null);
    }

    private void send(Destination replyTo, String correlationId, String text, String status, String finishReason) {
        try (JMSContext context = connectionFactory.createContext()) {
            TextMessage reply = context.createTextMessage(text);
            reply.setJMSCorrelationID(correlationId);
            reply.setStringProperty(JmsProperties.STATUS, status);
            if (finishReason != null) {
                reply.setStringProperty(JmsProperties.FINISH_REASON, finishReason);
            }
            context.createProducer().send(replyTo, reply);
        } catch (jakarta.jms.JMSException e) {
            throw new jakarta.jms.JMSRuntimeException("phi4: cannot build the reply", null, e);
        }
    }
}
