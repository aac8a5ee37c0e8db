package dev.phi4ee.ejb;

import dev.phi4ee.core.api.EngineOverloadedException;
import dev.phi4ee.core.api.InvalidInputException;
import jakarta.annotation.PostConstruct;
import jakarta.ejb.ActivationConfigProperty;
import jakarta.ejb.MessageDriven;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.inject.Inject;
import jakarta.jms.Destination;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageListener;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumes the request queue and replies to {@code JMSReplyTo} with the JSON result (correlation id = the request's
 * correlation id, else its message id). Delivery is at least once, without repeated work
 * (docs/decisions/jms-delivery.md):
 *
 * <ul>
 *   <li>No transaction: a generation may take longer than any transaction timeout. The message is acknowledged when
 *       {@link #onMessage} returns and redelivered when it throws {@link RedeliveryRequested}.
 *   <li>A result is kept by message id ({@link ResultCache}): a redelivery is answered from it, or waits for the
 *       generation still running for it.
 *   <li>A reply that cannot be sent (the requester's temporary queue is gone) is logged; the message is acknowledged.
 *   <li>An invalid request (unreadable, too large, failing validation, rejected by the engine) is answered once with
 *       {@code INVALID}, copied to the dead-letter queue and acknowledged: never decoded again.
 *   <li>A transient failure (engine busy beyond the back-off, engine closed, broker error) is redelivered by the
 *       broker after the address's redelivery delay.
 * </ul>
 *
 * Every request gets one log line naming its sender: the user the broker authenticated where it says so (Artemis's
 * {@code _AMQ_VALIDATED_USER}, with {@code populate-validated-user}), else {@code JMSXUserID} as the sending client set
 * it; the broker's security settings decide who may send.
 */
@MessageDriven(
        activationConfig = {
            @ActivationConfigProperty(propertyName = "destinationType", propertyValue = "jakarta.jms.Queue"),
            @ActivationConfigProperty(
                    propertyName = "destinationLookup",
                    propertyValue = Phi4RequestListener.REQUEST_QUEUE)
        })
@jakarta.jms.JMSDestinationDefinition(
        name = Phi4RequestListener.REQUEST_QUEUE,
        interfaceName = "jakarta.jms.Queue",
        destinationName = "phi4Requests")
@TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
public class Phi4RequestListener implements MessageListener {

    /** JNDI name of the request queue the deployment defines (override destinationLookup in ejb-jar.xml). */
    public static final String REQUEST_QUEUE = "java:global/jms/queue/phi4Requests";

    private static final Logger LOG = LoggerFactory.getLogger(Phi4RequestListener.class);
    private static final long MAX_OVERLOAD_WAIT_MILLIS = 120_000;

    @Inject
    JmsRequestReader reader;

    @Inject
    Validator validator;

    @Inject
    Phi4Generator generator;

    @Inject
    ReplySender replies;

    @Inject
    DeadLetters deadLetters;

    @Inject
    ListenerState state;

    long maxOverloadWaitMillis = MAX_OVERLOAD_WAIT_MILLIS;

    @PostConstruct
    void init() {
        state.settings(); // a bad setting fails the first delivery loudly, not silently later
    }

    @Override
    public void onMessage(Message message) {
        long start = System.nanoTime();
        Delivery d;
        try {
            d = Delivery.of(message);
        } catch (JMSException e) {
            throw new RedeliveryRequested("phi4: cannot read the message headers", e);
        }
        Phi4Request request;
        try {
            request = reader.read(message, state.maxMessageBytes());
            Set<ConstraintViolation<Phi4Request>> violations = validator.validate(request);
            if (!violations.isEmpty()) {
                invalid(message, d, start, "request failed validation", describe(violations), true);
                return;
            }
        } catch (MessageTooLargeException e) {
            invalid(message, d, start, e.getMessage(), List.of(), false);
            return;
        } catch (InvalidInputException e) {
            invalid(message, d, start, e.getMessage(), List.of(), true);
            return;
        } catch (JMSException e) {
            LOG.warn("phi4: cannot read request " + d + "; redelivery follows", e);
            throw new RedeliveryRequested("phi4: cannot read request " + d.correlationId(), e);
        }
        Phi4Response response;
        ResultCache.Claim claim = state.results().claim(d.messageId());
        try {
            if (claim.owner()) {
                response = generateWaitingWhileBusy(request);
                claim.result().complete(response);
            } else {
                response = claim.result().join(); // known, or still being generated for an earlier delivery
                LOG.atInfo().log(() -> "phi4: " + d + " is a redelivery: answered from the earlier generation");
            }
        } catch (InvalidInputException e) {
            forget(d, claim, e);
            invalid(message, d, start, e.getMessage(), List.of(), true);
            return;
        } catch (CompletionException e) {
            if (e.getCause() instanceof InvalidInputException invalid) {
                invalid(message, d, start, invalid.getMessage(), List.of(), true);
                return;
            }
            throw transientFailure(d, claim, e.getCause() == null ? e : e.getCause());
        } catch (RuntimeException e) {
            throw transientFailure(d, claim, e);
        }
        reply(d, () -> replies.sendResult(d.replyTo(), d.correlationId(), response, d.count()));
        LOG.atInfo().log(() -> "phi4: jms " + d + " " + RequestLog.outcome(response) + " in " + millis(start) + " ms");
    }

    private RedeliveryRequested transientFailure(Delivery d, ResultCache.Claim claim, Throwable e) {
        forget(d, claim, e);
        LOG.warn("phi4: jms " + d + " failed (" + RequestLog.describe(e) + "); redelivery follows");
        return new RedeliveryRequested("phi4: generation failed for " + d.correlationId(), e);
    }

    private void forget(Delivery d, ResultCache.Claim claim, Throwable e) {
        if (claim.owner()) {
            state.results().forget(d.messageId(), claim.result());
            claim.result().completeExceptionally(e instanceof CancellationException ? e : new CompletionException(e));
        }
    }

    private Phi4Response generateWaitingWhileBusy(Phi4Request request) {
        long deadline = System.currentTimeMillis() + maxOverloadWaitMillis;
        long backoff = 50;
        while (true) {
            try {
                return generator.generate(request);
            } catch (EngineOverloadedException e) {
                if (System.currentTimeMillis() + backoff > deadline) {
                    throw e;
                }
                sleep(backoff);
                backoff = Math.min(backoff * 2, 2_000);
            }
        }
    }

    /**
     * A request that can never succeed: copied to the dead-letter queue, then answered {@code INVALID}, and
     * acknowledged. Only a failing copy (the broker) makes it come back.
     */
    private void invalid(
            Message message, Delivery d, long start, String error, List<String> details, boolean bodyReadable) {
        LOG.atWarn()
                .log(() -> "phi4: jms " + d + " invalid, moved to the dead-letter queue in " + millis(start) + " ms: "
                        + error + (details.isEmpty() ? "" : " " + details));
        try {
            deadLetters.send(message, d.correlationId(), error, bodyReadable);
        } catch (RuntimeException e) {
            LOG.warn("phi4: cannot move " + d + " to the dead-letter queue; redelivery follows", e);
            throw new RedeliveryRequested("phi4: cannot move " + d.correlationId() + " to the dead-letter queue", e);
        }
        reply(d, () -> replies.sendError(d.replyTo(), d.correlationId(), "INVALID", error, details, d.count()));
    }

    /** Sends a reply; one that cannot be delivered is logged, never a reason to redeliver (and generate again). */
    private static void reply(Delivery d, Runnable send) {
        if (d.replyTo() == null) {
            return;
        }
        try {
            send.run();
        } catch (RuntimeException e) {
            LOG.atWarn()
                    .log(() -> "phi4: jms " + d + ": the reply to " + d.replyTo() + " cannot be delivered ("
                            + RequestLog.describe(e) + "); the request is acknowledged, its result stays cached");
        }
    }

    private static List<String> describe(Set<? extends ConstraintViolation<?>> violations) {
        return violations.stream()
                .map(v -> (v.getPropertyPath().toString().isEmpty() ? "" : v.getPropertyPath() + ": ") + v.getMessage())
                .sorted()
                .toList();
    }

    private static long millis(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the engine", e);
        }
    }

    /** What the log and the replies need of a delivery, read once. */
    record Delivery(String messageId, String correlationId, Destination replyTo, int count, String sender) {
        /** Artemis: the authenticated sender, on brokers with {@code populate-validated-user} (not WildFly's own). */
        static final String VALIDATED_USER = "_AMQ_VALIDATED_USER";

        static Delivery of(Message m) throws JMSException {
            String id = m.getJMSMessageID();
            int count = m.propertyExists("JMSXDeliveryCount")
                    ? m.getIntProperty("JMSXDeliveryCount")
                    : (m.getJMSRedelivered() ? 2 : 1);
            String sender = m.propertyExists(VALIDATED_USER)
                    ? m.getStringProperty(VALIDATED_USER)
                    : m.propertyExists("JMSXUserID") ? m.getStringProperty("JMSXUserID") : null;
            return new Delivery(
                    id,
                    m.getJMSCorrelationID() != null ? m.getJMSCorrelationID() : id,
                    m.getJMSReplyTo(),
                    count,
                    sender == null || sender.isBlank() ? "-" : sender);
        }

        @Override
        public String toString() {
            return correlationId + " (message " + messageId + ", delivery " + count + ", sender " + sender + ")";
        }
    }
}
