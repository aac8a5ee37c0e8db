package dev.phi4ee.ejb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.phi4ee.core.api.EngineClosedException;
import dev.phi4ee.core.api.EngineOverloadedException;
import dev.phi4ee.core.api.InvalidInputException;
import jakarta.jms.Destination;
import jakarta.jms.InvalidDestinationRuntimeException;
import jakarta.jms.Message;
import jakarta.validation.Validation;
import jakarta.validation.ValidatorFactory;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The listener's delivery policy against JMS doubles: what is answered, acknowledged, redelivered, dead-lettered. */
class Phi4RequestListenerTest {

    private static ValidatorFactory validation;

    record Reply(String correlationId, String status, String text, int delivery) {}

    record DeadLetter(Message message, String reason, boolean withBody) {}

    private final Queue<Reply> replies = new ConcurrentLinkedQueue<>();
    private final Queue<DeadLetter> deadLetters = new ConcurrentLinkedQueue<>();
    private final AtomicInteger generations = new AtomicInteger();
    private final Queue<String> logLines = new ConcurrentLinkedQueue<>();
    private volatile Function<Phi4Request, Phi4Response> fakeEngine = r -> response("fine");
    private volatile RuntimeException replyFailure;
    private Handler logCapture;

    @BeforeAll
    static void validator() {
        validation = Validation.buildDefaultValidatorFactory();
    }

    @AfterAll
    static void closeValidator() {
        validation.close();
    }

    @BeforeEach
    void captureLog() {
        logCapture = new Handler() {
            @Override
            public void publish(LogRecord r) {
                logLines.add(r.getMessage());
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        Logger.getLogger(Phi4RequestListener.class.getName()).addHandler(logCapture);
    }

    @org.junit.jupiter.api.AfterEach
    void releaseLog() {
        Logger.getLogger(Phi4RequestListener.class.getName()).removeHandler(logCapture);
    }

    private Phi4RequestListener listener(Map<String, String> settings) {
        Phi4RequestListener l = new Phi4RequestListener();
        l.reader = new JmsRequestReader();
        l.reader.json = new JsonCodec();
        l.validator = validation.getValidator();
        l.generator = new Phi4Generator() {
            @Override
            public Phi4Response generate(Phi4Request request) {
                generations.incrementAndGet();
                return fakeEngine.apply(request);
            }
        };
        l.replies = new ReplySender() {
            @Override
            public void sendResult(Destination to, String correlationId, Phi4Response response, int delivery) {
                if (replyFailure != null) {
                    throw replyFailure;
                }
                replies.add(new Reply(correlationId, "OK", response.getText(), delivery));
            }

            @Override
            public void sendError(
                    Destination to, String correlationId, String status, String error, List<String> details, int n) {
                replies.add(new Reply(correlationId, status, error + " " + details, n));
            }
        };
        l.deadLetters = new DeadLetters() {
            @Override
            public void send(Message original, String correlationId, String reason, boolean withBody) {
                deadLetters.add(new DeadLetter(original, reason, withBody));
            }
        };
        l.state = ListenerState.of(EngineSettings.of(name -> Optional.ofNullable(settings.get(name))));
        l.maxOverloadWaitMillis = 300;
        return l;
    }

    private Phi4RequestListener listener() {
        return listener(Map.of());
    }

    private static Phi4Response response(String text) {
        Phi4Response r = new Phi4Response();
        r.setText(text);
        r.setFinishReason("STOP");
        return r;
    }

    private static TestMessages.Double prompt(String prompt) {
        return TestMessages.text("{\"prompt\": \"" + prompt + "\", \"maxNewTokens\": 4}");
    }

    @Test
    void answersARequestOnceAndLogsItsSender() {
        TestMessages.Double m = prompt("hello").property("JMSXUserID", "alice");
        m.correlationId = "c-1";

        listener().onMessage(m.message);

        assertThat(generations).hasValue(1);
        assertThat(replies).containsExactly(new Reply("c-1", "OK", "fine", 1));
        assertThat(deadLetters).isEmpty();
        assertThat(logLines).anySatisfy(line -> assertThat(line)
                .contains("c-1")
                .contains("sender alice")
                .contains("STOP"));

        TestMessages.Double validated =
                prompt("hello").property("JMSXUserID", "claims-to-be-alice").property("_AMQ_VALIDATED_USER", "bob");
        validated.messageId = "ID:m-2";
        listener().onMessage(validated.message);
        assertThat(logLines)
                .anySatisfy(line -> assertThat(line).contains("ID:m-2").contains("sender bob"));
    }

    @Test
    void aReplyThatCannotBeDeliveredIsLoggedAndTheRedeliveryIsAnsweredWithoutGeneratingAgain() {
        Phi4RequestListener listener = listener();
        replyFailure = new InvalidDestinationRuntimeException("temporary queue deleted");
        TestMessages.Double first = prompt("hello");

        listener.onMessage(first.message); // returns: the message is acknowledged, not rolled back

        assertThat(generations).hasValue(1);
        assertThat(replies).isEmpty();
        assertThat(logLines).anySatisfy(line -> assertThat(line).contains("cannot be delivered"));

        replyFailure = null;
        TestMessages.Double again = prompt("hello").delivery(2); // same JMSMessageID, e.g. after a broker failover
        listener.onMessage(again.message);

        assertThat(generations).as("generated once").hasValue(1);
        assertThat(replies).containsExactly(new Reply("ID:m-1", "OK", "fine", 2));
    }

    @Test
    void aRedeliveryDuringTheGenerationWaitsForItsResult() throws Exception {
        Phi4RequestListener listener = listener();
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        fakeEngine = r -> {
            started.countDown();
            await(release);
            return response("slow");
        };
        Thread firstDelivery = Thread.ofPlatform().start(() -> listener.onMessage(prompt("slow").message));
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
        Thread redelivery = Thread.ofPlatform()
                .start(() -> listener.onMessage(prompt("slow").delivery(2).message));
        Thread.sleep(100);
        assertThat(replies).isEmpty();
        release.countDown();
        firstDelivery.join(10_000);
        redelivery.join(10_000);

        assertThat(generations).hasValue(1);
        assertThat(replies).extracting(Reply::text).containsExactly("slow", "slow");
    }

    @Test
    void transientFailuresAreRedeliveredAndGenerateAgain() {
        Phi4RequestListener listener = listener();
        fakeEngine = r -> {
            throw new EngineClosedException("engine closed while the request ran");
        };

        assertThatThrownBy(() -> listener.onMessage(prompt("x").message)).isInstanceOf(RedeliveryRequested.class);
        assertThat(replies).isEmpty();
        assertThat(deadLetters).isEmpty();

        fakeEngine = r -> {
            throw new EngineOverloadedException("queue full");
        };
        assertThatThrownBy(() -> listener.onMessage(prompt("x").delivery(2).message))
                .as("busy beyond the back-off")
                .isInstanceOf(RedeliveryRequested.class);

        fakeEngine = r -> response("third time");
        listener.onMessage(prompt("x").delivery(3).message);
        assertThat(generations).hasValueGreaterThanOrEqualTo(3);
        assertThat(replies).containsExactly(new Reply("ID:m-1", "OK", "third time", 3));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {"non-numeric maxNewTokens", "empty text", "not JSON", "JSON null", "blank prompt", "engine"})
    void permanentErrorsAreAnsweredOnceAndDeadLetteredAtOnce(String kind) {
        TestMessages.Double m =
                switch (kind) {
                    case "non-numeric maxNewTokens" ->
                        TestMessages.bytes(new byte[] {1, 2, 3}).property(JmsProperties.MAX_NEW_TOKENS, "many");
                    case "empty text" -> TestMessages.text("");
                    case "not JSON" -> TestMessages.text("{\"prompt\": \"unterminated");
                    case "JSON null" -> TestMessages.text("null");
                    case "blank prompt" -> TestMessages.text("{\"prompt\": \"  \"}");
                    default -> prompt("rejected by the engine");
                };
        fakeEngine = r -> {
            throw new InvalidInputException("unrecognised media");
        };

        listener().onMessage(m.message); // returns: acknowledged, never redelivered

        assertThat(replies).singleElement().satisfies(r -> {
            assertThat(r.status()).isEqualTo("INVALID");
            assertThat(r.delivery()).isEqualTo(1);
        });
        assertThat(deadLetters).singleElement().satisfies(d -> {
            assertThat(d.message()).isSameAs(m.message);
            assertThat(d.withBody()).isTrue();
        });
        if (kind.startsWith("non-numeric")) {
            assertThat(replies.peek().text()).contains("phi4MaxNewTokens must be an integer, was 'many'");
            assertThat(m.bodyReads).as("options are read before the body").hasValue(0);
        }
        assertThat(generations).hasValue(kind.equals("engine") ? 1 : 0);
    }

    @Test
    void aDeadLetterCopyThatFailsIsRedeliveredUnanswered() {
        Phi4RequestListener l = listener();
        l.deadLetters = new DeadLetters() {
            @Override
            public void send(Message original, String correlationId, String reason, boolean withBody) {
                throw new jakarta.jms.JMSRuntimeException("broker down");
            }
        };
        assertThatThrownBy(() -> l.onMessage(TestMessages.text("not json").message))
                .isInstanceOf(RedeliveryRequested.class);
        assertThat(replies).isEmpty();
    }

    /** The figure for the issue: the time to refuse a 1 GiB message (printed, never asserted). */
    @Test
    void anOversizedMessageIsRefusedBeforeItsBodyIsRead() {
        long gib = 1L << 30;
        TestMessages.Double bytes = TestMessages.bytes(new byte[0]);
        bytes.declaredLength = gib;
        bytes.unreadable = true;
        TestMessages.Double text = TestMessages.text(null).property(JmsProperties.PROMPT, "x");
        text.property(JmsRequestReader.ARTEMIS_LARGE_SIZE, gib);
        text.unreadable = true;
        Phi4RequestListener listener = listener();

        for (TestMessages.Double m : List.of(bytes, text)) {
            long start = System.nanoTime();
            listener.onMessage(m.message);
            long micros = (System.nanoTime() - start) / 1_000;
            System.out.printf(
                    "phi4 jms: refused a 1 GiB %s in %d µs (body never read)%n",
                    m == bytes ? "BytesMessage" : "TextMessage (Artemis large message)", micros);
        }

        assertThat(deadLetters).hasSize(2).allSatisfy(d -> {
            assertThat(d.withBody()).as("the copy leaves the body alone").isFalse();
            assertThat(d.reason()).contains("1073741824 bytes exceeds phi4.jms.maxMessageBytes");
        });
        assertThat(replies).extracting(Reply::status).containsExactly("INVALID", "INVALID");
        assertThat(generations).hasValue(0);
    }

    @Test
    void aSmallTextMessageOverTheLimitIsRefusedAfterItsTextIsRead() {
        TestMessages.Double m = prompt("x".repeat(2_000));

        listener(Map.of("phi4.jms.maxMessageBytes", "1k")).onMessage(m.message);

        assertThat(deadLetters).singleElement().satisfies(d -> assertThat(d.withBody())
                .isFalse());
        assertThat(generations).hasValue(0);
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
