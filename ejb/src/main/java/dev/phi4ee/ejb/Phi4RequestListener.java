package dev.phi4ee.ejb;

import dev.phi4ee.core.api.EngineOverloadedException;
import dev.phi4ee.core.api.InvalidInputException;
import jakarta.annotation.Resource;
import jakarta.ejb.ActivationConfigProperty;
import jakarta.ejb.MessageDriven;
import jakarta.ejb.MessageDrivenContext;
import jakarta.inject.Inject;
import jakarta.jms.Destination;
import jakarta.jms.JMSDestinationDefinition;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageListener;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validator;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumes the request queue and replies to {@code JMSReplyTo} with the JSON result (correlation id = the request's
 * correlation id, else its message id).
 *
 * <p>Failure policy: an invalid request (unreadable, failing validation, rejected by the engine) is answered once
 * with an {@code INVALID} error reply, then rolled back, so the broker's redelivery settings move it to the
 * dead-letter queue after the configured attempts; it never loops. A busy engine is waited for on this thread
 * (back-pressure: the message stays in flight and the pool's sessions bound what is consumed), never dropped.
 */
@MessageDriven(
        activationConfig = {
            @ActivationConfigProperty(propertyName = "destinationType", propertyValue = "jakarta.jms.Queue"),
            @ActivationConfigProperty(
                    propertyName = "destinationLookup",
                    propertyValue = Phi4RequestListener.REQUEST_QUEUE)
        })
@JMSDestinationDefinition(
        name = Phi4RequestListener.REQUEST_QUEUE,
        interfaceName = "jakarta.jms.Queue",
        destinationName = "phi4Requests")
public class Phi4RequestListener implements MessageListener {

    /** JNDI name of the request queue the deployment defines (override destinationLookup in ejb-jar.xml). */
    public static final String REQUEST_QUEUE = "java:global/jms/queue/phi4Requests";

    private static final Logger LOG = LoggerFactory.getLogger(Phi4RequestListener.class);
    private static final long MAX_OVERLOAD_WAIT_MILLIS = 120_000;

    @Resource
    MessageDrivenContext context;

    @Inject
    JmsRequestReader reader;

    @Inject
    Validator validator;

    @Inject
    Phi4Service service;

    @Inject
    ReplySender replies;

    @Override
    public void onMessage(Message message) {
        try {
            handle(message);
        } catch (JMSException e) {
            LOG.warn("phi4: cannot read request message; rolling back for redelivery", e);
            context.setRollbackOnly();
        }
    }

    private void handle(Message message) throws JMSException {
        String correlationId =
                message.getJMSCorrelationID() != null ? message.getJMSCorrelationID() : message.getJMSMessageID();
        Destination replyTo = message.getJMSReplyTo();
        Phi4Response response;
        try {
            Phi4Request request = reader.read(message);
            Set<ConstraintViolation<Phi4Request>> violations = validator.validate(request);
            if (!violations.isEmpty()) {
                reject(message, replyTo, correlationId, "request failed validation", describe(violations));
                return;
            }
            response = generateWaitingWhileBusy(request);
        } catch (InvalidInputException e) {
            reject(message, replyTo, correlationId, e.getMessage(), List.of());
            return;
        } catch (RuntimeException e) {
            LOG.warn("phi4: generation failed for " + correlationId + "; rolling back for redelivery", e);
            context.setRollbackOnly();
            return;
        }
        if (replyTo != null) {
            replies.sendResult(replyTo, correlationId, response);
        }
    }

    private Phi4Response generateWaitingWhileBusy(Phi4Request request) {
        long deadline = System.currentTimeMillis() + MAX_OVERLOAD_WAIT_MILLIS;
        long backoff = 50;
        while (true) {
            try {
                return service.generate(request);
            } catch (EngineOverloadedException e) {
                if (System.currentTimeMillis() + backoff > deadline) {
                    throw e;
                }
                sleep(backoff);
                backoff = Math.min(backoff * 2, 2_000);
            }
        }
    }

    /** Answers once (first delivery only) and rolls back: the broker's max delivery attempts lead it to the DLQ. */
    private void reject(Message message, Destination replyTo, String correlationId, String error, List<String> details)
            throws JMSException {
        if (isFirstDelivery(message)) {
            LOG.atWarn().log(() -> "phi4: invalid request " + correlationId + ": " + error + " " + details);
            if (replyTo != null) {
                replies.sendError(replyTo, correlationId, "INVALID", error, details);
            }
        }
        context.setRollbackOnly();
    }

    private static boolean isFirstDelivery(Message message) throws JMSException {
        return message.propertyExists("JMSXDeliveryCount")
                ? message.getIntProperty("JMSXDeliveryCount") <= 1
                : !message.getJMSRedelivered();
    }

    private static List<String> describe(Set<? extends ConstraintViolation<?>> violations) {
        return violations.stream()
                .map(v -> (v.getPropertyPath().toString().isEmpty() ? "" : v.getPropertyPath() + ": ") + v.getMessage())
                .sorted()
                .toList();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the engine", e);
        }
    }
}
