package dev.phi4ee.ejb;

import dev.phi4ee.core.api.GenerationHandle;
import dev.phi4ee.core.api.GenerationRequest;
import dev.phi4ee.core.api.ModelInfo;
import dev.phi4ee.core.api.Phi4Engine;
import dev.phi4ee.core.api.TokenListener;
import jakarta.jms.Connection;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.Session;
import jakarta.validation.Validation;
import jakarta.validation.ValidatorFactory;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.activemq.artemis.api.jms.ActiveMQJMSConstants;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;

/**
 * One "server" of {@link ScaleOutFaultIT}, in its own JVM: the EAR's {@link Phi4RequestListener} with its real
 * collaborators (reader, validator, generator on a real engine, reply sender, result cache), consuming the broker's
 * request queue as the Artemis resource adapter delivers to a non-transacted MDB: the message is acknowledged
 * individually when {@code onMessage} returns, and handed back to the broker ({@code recover}: a rollback, delivery
 * count + 1, the address's redelivery delay) when it throws.
 *
 * <p>Arguments: broker URL, model directory, name. Tells the parent what it does on standard output, one line per
 * event: {@code ready}, {@code generating <correlation id> <delivery>} (at the first generated token, so a kill on
 * this line lands mid-generation), {@code answered <correlation id>} (acknowledged), {@code redelivery <correlation
 * id>}.
 */
public final class ScaleOutConsumer {

    static final String QUEUE = "phi4Requests";
    static final String PREFIX = "phi4-consumer ";

    private ScaleOutConsumer() {}

    public static void main(String[] args) throws Exception {
        String brokerUrl = args[0];
        EngineSettings settings = EngineSettings.of(name -> Optional.ofNullable(Map.of(
                        EngineSettings.MODEL_PATH, args[1],
                        EngineSettings.EXECUTION_PROVIDER, "cpu",
                        EngineSettings.INTRA_OP_THREADS, "1",
                        EngineSettings.MAX_LENGTH, "1024")
                .get(name)));
        ThreadLocal<Message> current = new ThreadLocal<>();
        try (Phi4Engine engine = Phi4Engine.open(Path.of(settings.modelPath()), settings.engineOptions());
                ValidatorFactory validation = Validation.buildDefaultValidatorFactory();
                ActiveMQConnectionFactory factory = new ActiveMQConnectionFactory(brokerUrl);
                Connection connection = factory.createConnection()) {
            Phi4RequestListener listener =
                    listener(new Announcing(engine, current), validation, factory, ListenerState.of(settings));
            // Individual acknowledgement, as the resource adapter's non-transacted delivery
            // (ActiveMQMessageHandler: individualAcknowledge after onMessage, rollback when it throws).
            Session session = connection.createSession(false, ActiveMQJMSConstants.INDIVIDUAL_ACKNOWLEDGE);
            MessageConsumer consumer = session.createConsumer(session.createQueue(QUEUE));
            connection.start();
            say("ready");
            while (true) {
                Message message = consumer.receive();
                if (message == null) {
                    return;
                }
                current.set(message);
                try {
                    listener.onMessage(message);
                    message.acknowledge();
                    say("answered " + message.getJMSCorrelationID());
                } catch (RuntimeException e) {
                    session.recover();
                    say("redelivery " + message.getJMSCorrelationID());
                }
            }
        }
    }

    /** The listener wired as CDI wires it in the EAR, with the broker's connection factory for its replies. */
    private static Phi4RequestListener listener(
            Phi4Engine engine, ValidatorFactory validation, ActiveMQConnectionFactory factory, ListenerState state) {
        JsonCodec json = new JsonCodec();
        Phi4RequestListener l = new Phi4RequestListener();
        l.reader = new JmsRequestReader();
        l.reader.json = json;
        l.validator = validation.getValidator();
        l.generator = new Phi4Generator();
        l.generator.engine = engine;
        l.replies = new ReplySender();
        l.replies.connectionFactory = factory;
        l.replies.json = json;
        l.deadLetters = new DeadLetters(); // unused: the test sends valid requests only
        l.deadLetters.connectionFactory = factory;
        l.state = state;
        return l;
    }

    private static synchronized void say(String line) {
        System.out.println(PREFIX + line);
        System.out.flush();
    }

    /**
     * The engine, announcing each generation at its first token, and running every generation to its
     * {@code maxNewTokens} (the test kit's random weights may otherwise end it at any token): a kill on the
     * announcement lands while hundreds of tokens remain.
     */
    private record Announcing(Phi4Engine engine, ThreadLocal<Message> current) implements Phi4Engine {

        @Override
        public GenerationHandle stream(GenerationRequest request, TokenListener listener) {
            String announcement = announcement(current.get());
            AtomicBoolean first = new AtomicBoolean(true);
            GenerationRequest full = new GenerationRequest(
                    request.messages(),
                    request.options().toBuilder()
                            .minNewTokens(request.options().maxNewTokens())
                            .build());
            return engine.stream(full, new TokenListener() {
                @Override
                public void onText(String delta) {
                    if (first.getAndSet(false)) {
                        say(announcement);
                    }
                    listener.onText(delta);
                }

                @Override
                public void onComplete(dev.phi4ee.core.api.GenerationResult result) {
                    listener.onComplete(result);
                }

                @Override
                public void onError(Throwable error) {
                    listener.onError(error);
                }
            });
        }

        private static String announcement(Message m) {
            try {
                return "generating " + m.getJMSCorrelationID() + " " + m.getIntProperty("JMSXDeliveryCount");
            } catch (JMSException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public Flow.Publisher<String> publish(GenerationRequest request) {
            throw new UnsupportedOperationException("the listener does not publish");
        }

        @Override
        public ModelInfo info() {
            return engine.info();
        }

        @Override
        public void close() {
            engine.close();
        }
    }
}
