package dev.phi4ee.ear.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.phi4ee.core.api.GenerationOptions;
import dev.phi4ee.core.api.GenerationRequest;
import dev.phi4ee.core.api.InvalidInputException;
import dev.phi4ee.core.api.Phi4Engine;
import dev.phi4ee.ear.it.routes.ItRoutes;
import dev.phi4ee.ejb.JmsProperties;
import dev.phi4ee.ejb.JsonCodec;
import dev.phi4ee.ejb.MediaInput;
import dev.phi4ee.ejb.Phi4CamelHost;
import dev.phi4ee.ejb.Phi4EngineProducer;
import dev.phi4ee.ejb.Phi4Request;
import dev.phi4ee.ejb.Phi4RequestListener;
import dev.phi4ee.ejb.Phi4Response;
import dev.phi4ee.ejb.Phi4Service;
import jakarta.ejb.EJB;
import jakarta.ejb.EJBAccessException;
import jakarta.enterprise.concurrent.ManagedExecutorService;
import jakarta.inject.Inject;
import jakarta.jms.BytesMessage;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.JMSConsumer;
import jakarta.jms.JMSContext;
import jakarta.jms.JMSSecurityRuntimeException;
import jakarta.jms.Message;
import jakarta.jms.Queue;
import jakarta.jms.TemporaryQueue;
import jakarta.jms.TextMessage;
import jakarta.validation.ConstraintViolationException;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.naming.InitialContext;
import javax.naming.NamingException;
import org.apache.camel.Exchange;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.Testable;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.as.arquillian.api.ServerSetup;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.asset.EmptyAsset;
import org.jboss.shrinkwrap.api.asset.StringAsset;
import org.jboss.shrinkwrap.api.importer.ZipImporter;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.jboss.shrinkwrap.api.spec.JavaArchive;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The real EAR on WildFly (standalone-full, its Artemis broker) with the test kit's model: one deployment for all
 * tests, so the last one can prove that the engine was opened exactly once.
 */
@ExtendWith(ArquillianExtension.class)
@ServerSetup(Phi4ServerSetup.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class Phi4ServerIT {

    private static final String CONNECTION_FACTORY = "java:/ConnectionFactory";
    private static final String DLQ = "java:/jms/queue/DLQ";
    private static final String REMOTE_CONNECTION_FACTORY = "java:jboss/exported/jms/RemoteConnectionFactory";

    @Deployment
    static EnterpriseArchive deployment() throws Exception {
        EnterpriseArchive ear = ShrinkWrap.create(ZipImporter.class, "phi4-ear.ear")
                .importFrom(new File(System.getProperty("phi4.it.ear")))
                .as(EnterpriseArchive.class);
        WebArchive tests = ShrinkWrap.create(WebArchive.class, "phi4-it.war")
                .addClasses(Phi4ServerIT.class, ItMedia.class, AsPhi4User.class)
                .addAsLibrary(jarOf(org.assertj.core.api.Assertions.class))
                .addAsWebInfResource(EmptyAsset.INSTANCE, "beans.xml");
        JavaArchive routes = ShrinkWrap.create(JavaArchive.class, "phi4-it-routes.jar")
                .addClass(ItRoutes.class)
                .addAsManifestResource(EmptyAsset.INSTANCE, "beans.xml");
        String applicationXml;
        try (var in = ear.get("META-INF/application.xml").getAsset().openStream()) {
            applicationXml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        int lastModule = applicationXml.lastIndexOf("</module>") + "</module>".length();
        applicationXml = applicationXml.substring(0, lastModule)
                + "<module><web><web-uri>phi4-it.war</web-uri><context-root>/phi4-it</context-root></web></module>"
                + applicationXml.substring(lastModule);
        ear.delete("META-INF/application.xml");
        ear.setApplicationXML(new StringAsset(applicationXml));
        ear.addAsModule(Testable.archiveToTest(tests)); // the EAR has a WAR of its own (phi4-openai.war)
        ear.addAsLibrary(routes);
        return ear;
    }

    private static File jarOf(Class<?> type) throws java.net.URISyntaxException {
        return new File(type.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    @Inject
    Phi4Service service;

    @EJB
    Phi4Service serviceByEjb;

    @Inject
    Phi4Engine engine;

    @Inject
    Phi4CamelHost camelHost;

    @Inject
    JsonCodec json;

    @jakarta.annotation.Resource
    ManagedExecutorService executor;

    @EJB
    AsPhi4User asPhi4User;

    /** Runs {@code work} with the role Phi4Service requires; its exceptions come out as themselves. */
    private <T> T asUser(Callable<T> work) throws Exception {
        try {
            return asPhi4User.call(() -> {
                try {
                    return work.call();
                } catch (RuntimeException e) {
                    throw new ExecutionException(e); // a checked exception crosses the EJB boundary unwrapped
                }
            });
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }

    @Test
    @Order(1)
    void injectedServiceGenerates() throws Exception {
        Phi4Request request = Phi4Request.ofPrompt("Hello from WildFly");
        request.setMaxNewTokens(8);

        Phi4Response response = asUser(() -> service.generate(request));

        assertThat(response.getText()).isNotNull();
        assertThat(response.getGeneratedTokens()).isBetween(1, 8);
        assertThat(response.getPromptTokens()).isPositive();
        assertThat(response.getFinishReason()).isIn("STOP", "LENGTH");

        Phi4Response viaEjb = asUser(() -> serviceByEjb.generateAsync(request)).get(60, TimeUnit.SECONDS);
        assertThat(viaEjb.getPromptTokens()).isEqualTo(response.getPromptTokens());
        Future<Phi4Response> submitted = asUser(() -> serviceByEjb.submit(request));
        assertThat(submitted.get(60, TimeUnit.SECONDS).getPromptTokens()).isEqualTo(response.getPromptTokens());
    }

    @Test
    @Order(2)
    void imageRequestReachesTheVisionPath() throws Exception {
        Phi4Request request = Phi4Request.ofPrompt("What does the scan say?");
        request.setMaxNewTokens(4);
        request.setMedia(List.of(new MediaInput(ItMedia.scanPng(), null, "scan.png")));

        Phi4Response response = asUser(() -> service.generate(request));

        assertThat(response.getImageTokens()).isPositive();
        assertThat(response.getPromptTokens()).isGreaterThan(response.getImageTokens());
    }

    @Test
    @Order(3)
    void beanValidationRejectsBadRequests() {
        Phi4Request blank = Phi4Request.ofPrompt("  ");
        Phi4Request tooLong = Phi4Request.ofPrompt("x");
        tooLong.setMaxNewTokens(100_000);
        tooLong.setTopP(0.0);

        assertThatThrownBy(() -> asUser(() -> service.generate(blank)))
                .isInstanceOf(ConstraintViolationException.class);
        Throwable thrown = catchThrowable(() -> asUser(() -> service.generate(tooLong)));
        assertThat(thrown).isInstanceOf(ConstraintViolationException.class);
        assertThat(((ConstraintViolationException) thrown).getConstraintViolations())
                .extracting(v -> v.getPropertyPath().toString())
                .anySatisfy(p -> assertThat(p).endsWith("maxNewTokens"))
                .anySatisfy(p -> assertThat(p).endsWith("topP"));
        assertThatThrownBy(() -> asUser(() -> service.generate(null))).isInstanceOf(ConstraintViolationException.class);
    }

    @Test
    @Order(3)
    void invalidMediaSurfacesAsTheEngineExceptionNotAsEjbException() {
        Phi4Request request = Phi4Request.ofPrompt("What is this?");
        request.setMedia(List.of(new MediaInput(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}, null, "mystery.bin")));

        assertThatThrownBy(() -> asUser(() -> service.generate(request)))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("mystery.bin");
    }

    @Test
    @Order(4)
    void listenerAnswersAJsonRequestOverArtemis() throws Exception {
        try (JMSContext jms = connectionFactory().createContext()) {
            TemporaryQueue replies = jms.createTemporaryQueue();
            Phi4Request request = Phi4Request.ofPrompt("Hello over JMS");
            request.setMaxNewTokens(6);
            TextMessage text = jms.createTextMessage(json.write(request));
            text.setJMSCorrelationID("it-json-1");
            text.setJMSReplyTo(replies);

            jms.createProducer().send(requestQueue(), text);

            Message reply = receive(jms, replies, 1).get("it-json-1");
            assertThat(reply.getStringProperty(JmsProperties.STATUS)).isEqualTo("OK");
            assertThat(reply.getStringProperty(JmsProperties.FINISH_REASON)).isIn("STOP", "LENGTH");
            Phi4Response response = json.read(((TextMessage) reply).getText(), Phi4Response.class);
            assertThat(response.getGeneratedTokens()).isBetween(1, 6);
            assertThat(response.getPromptTokens()).isPositive();
        }
    }

    @Test
    @Order(4)
    void listenerAnswersABytesMessageWithMediaAndPromptProperties() throws Exception {
        try (JMSContext jms = connectionFactory().createContext()) {
            TemporaryQueue replies = jms.createTemporaryQueue();
            BytesMessage media = jms.createBytesMessage();
            media.writeBytes(ItMedia.scanPng());
            media.setStringProperty(JmsProperties.PROMPT, "Read the scan.");
            media.setIntProperty(JmsProperties.MAX_NEW_TOKENS, 4);
            media.setJMSCorrelationID("it-bytes-1");
            media.setJMSReplyTo(replies);

            jms.createProducer().send(requestQueue(), media);

            TextMessage reply = (TextMessage) receive(jms, replies, 1).get("it-bytes-1");
            assertThat(reply.getStringProperty(JmsProperties.STATUS)).isEqualTo("OK");
            Phi4Response response = json.read(reply.getText(), Phi4Response.class);
            assertThat(response.getImageTokens()).isPositive();
            assertThat(response.getGeneratedTokens()).isBetween(1, 4);
        }
    }

    @Test
    @Order(5)
    void poisonMessageEndsInTheDeadLetterQueueWhileTheNextIsAnswered() throws Exception {
        try (JMSContext jms = connectionFactory().createContext()) {
            TemporaryQueue replies = jms.createTemporaryQueue();
            TextMessage poison = jms.createTextMessage("{\"prompt\": \"unterminated");
            poison.setJMSCorrelationID("it-poison-1");
            poison.setJMSReplyTo(replies);
            TextMessage invalid = jms.createTextMessage(json.write(Phi4Request.ofPrompt(" ")));
            invalid.setJMSCorrelationID("it-invalid-1");
            invalid.setJMSReplyTo(replies);
            Phi4Request goodRequest = Phi4Request.ofPrompt("After the poison");
            goodRequest.setMaxNewTokens(4);
            TextMessage good = jms.createTextMessage(json.write(goodRequest));
            good.setJMSCorrelationID("it-good-1");
            good.setJMSReplyTo(replies);

            jms.createProducer()
                    .send(requestQueue(), poison)
                    .send(requestQueue(), invalid)
                    .send(requestQueue(), good);

            Map<String, Message> answers = receive(jms, replies, 3);
            assertThat(answers.get("it-poison-1").getStringProperty(JmsProperties.STATUS))
                    .isEqualTo("INVALID");
            assertThat(answers.get("it-poison-1").getIntProperty(JmsProperties.DELIVERY))
                    .isEqualTo(1);
            assertThat(answers.get("it-invalid-1").getStringProperty(JmsProperties.STATUS))
                    .isEqualTo("INVALID");
            assertThat(((TextMessage) answers.get("it-invalid-1")).getText()).contains("non-blank prompt");
            assertThat(answers.get("it-good-1").getStringProperty(JmsProperties.STATUS))
                    .isEqualTo("OK");

            Queue dlq = (Queue) new InitialContext().lookup(DLQ);
            for (String id : List.of("it-poison-1", "it-invalid-1")) {
                try (JMSConsumer dead = jms.createConsumer(dlq, "JMSCorrelationID = '" + id + "'")) {
                    Message inDlq = dead.receive(60_000);
                    assertThat(inDlq).as(id + " in the DLQ").isNotNull();
                    // moved there by the listener at once (with the reason), not by the broker after its attempts
                    assertThat(inDlq.getStringProperty(JmsProperties.ERROR)).isNotBlank();
                    assertThat(inDlq.getStringProperty(JmsProperties.STATUS)).isEqualTo("INVALID");
                }
            }
            // Exactly one error reply each: redeliveries of an invalid message are not answered again.
            assertThat(jms.createConsumer(replies).receive(500)).isNull();
        }
    }

    @Test
    @Order(5)
    void anOversizedMessageIsRefusedWithoutReadingItsBody() throws Exception {
        int size = 32 << 20; // over the test server's phi4.jms.maxMessageBytes (4m): an Artemis large message
        try (JMSContext jms = connectionFactory().createContext()) {
            TemporaryQueue replies = jms.createTemporaryQueue();
            BytesMessage big = jms.createBytesMessage();
            big.writeBytes(new byte[size]);
            big.setStringProperty(JmsProperties.PROMPT, "Describe.");
            big.setJMSCorrelationID("it-oversized-1");
            big.setJMSReplyTo(replies);

            jms.createProducer().send(requestQueue(), big);
            long sent = System.nanoTime();
            Message reply = receive(jms, replies, 1).get("it-oversized-1");
            long millis = (System.nanoTime() - sent) / 1_000_000;

            assertThat(reply.getStringProperty(JmsProperties.STATUS)).isEqualTo("INVALID");
            assertThat(((TextMessage) reply).getText()).contains(size + " bytes exceeds phi4.jms.maxMessageBytes");
            System.out.printf(
                    "phi4 jms: a %d MiB BytesMessage refused (INVALID reply) %d ms after its send%n",
                    size >> 20, millis);
            Queue dlq = (Queue) new InitialContext().lookup(DLQ);
            try (JMSConsumer dead = jms.createConsumer(dlq, "JMSCorrelationID = 'it-oversized-1'")) {
                Message inDlq = dead.receive(60_000);
                assertThat(inDlq).isNotNull();
                assertThat(inDlq.getStringProperty(JmsProperties.PROMPT)).isEqualTo("Describe.");
            }

            // A large TextMessage declares its size too (Artemis's _AMQ_LARGE_SIZE): refused before getText().
            TextMessage bigText = jms.createTextMessage("{\"prompt\": \"" + "x".repeat(8 << 20) + "\"}");
            bigText.setJMSCorrelationID("it-oversized-2");
            bigText.setJMSReplyTo(replies);
            jms.createProducer().send(requestQueue(), bigText);
            assertThat(((TextMessage) receive(jms, replies, 1).get("it-oversized-2")).getText())
                    .contains("message body of")
                    .contains("bytes exceeds phi4.jms.maxMessageBytes");
        }
    }

    /**
     * The test server's transaction timeout is 2 s ({@link Phi4ServerSetup}); this generation takes 5 s because a
     * stream holds the engine's thread. In a transaction it would be rolled back and answered by a redelivery.
     */
    @Test
    @Order(6)
    void aGenerationLongerThanTheTransactionTimeoutIsAnsweredOnceFromItsFirstDelivery() throws Exception {
        CountDownLatch holding = new CountDownLatch(1);
        GenerationRequest hold = GenerationRequest.builder()
                .user("hold the engine")
                .options(GenerationOptions.builder()
                        .maxNewTokens(8)
                        .minNewTokens(8)
                        .build())
                .build();
        var blocker = engine.stream(hold, delta -> {
            if (holding.getCount() > 0) {
                holding.countDown();
                sleep(5_000);
            }
        });
        assertThat(holding.await(60, TimeUnit.SECONDS))
                .as("the stream holds the engine")
                .isTrue();
        try (JMSContext jms = connectionFactory().createContext()) {
            TemporaryQueue replies = jms.createTemporaryQueue();
            Phi4Request request = Phi4Request.ofPrompt("Slow over JMS");
            request.setMaxNewTokens(4);
            TextMessage text = jms.createTextMessage(json.write(request));
            text.setJMSCorrelationID("it-slow-1");
            text.setJMSReplyTo(replies);
            long start = System.nanoTime();
            jms.createProducer().send(requestQueue(), text);

            Message reply = receive(jms, replies, 1).get("it-slow-1");

            assertThat(reply.getStringProperty(JmsProperties.STATUS)).isEqualTo("OK");
            assertThat(reply.getIntProperty(JmsProperties.DELIVERY))
                    .as("answered by its first delivery")
                    .isEqualTo(1);
            assertThat((System.nanoTime() - start) / 1_000_000_000.0)
                    .as("it really outlived the transaction timeout")
                    .isGreaterThan(Phi4ServerSetup.TX_TIMEOUT_S);
            try (JMSConsumer more = jms.createConsumer(replies)) {
                assertThat(more.receive(Phi4ServerSetup.REDELIVERY_DELAY_MS * 2L))
                        .as("no second answer")
                        .isNull();
            }
        }
        blocker.result().get(60, TimeUnit.SECONDS);
    }

    @Test
    @Order(8)
    void onlyCallersWithThePhi4RoleMayUseTheService() {
        assertThatThrownBy(() -> service.generate(Phi4Request.ofPrompt("from an anonymous caller")))
                .isInstanceOf(EJBAccessException.class);
    }

    @Test
    @Order(8)
    void guestsMayNotSendToTheRequestQueueButSendersMay() throws Exception {
        ConnectionFactory remote = (ConnectionFactory) new InitialContext().lookup(REMOTE_CONNECTION_FACTORY);
        Phi4Request request = Phi4Request.ofPrompt("Who may ask?");
        request.setMaxNewTokens(2);
        try (JMSContext guest = remote.createContext(Phi4ServerSetup.GUEST, Phi4ServerSetup.PASSWORD)) {
            assertThatThrownBy(() -> guest.createProducer().send(requestQueue(), json.write(request)))
                    .isInstanceOf(JMSSecurityRuntimeException.class);
        }
        try (JMSContext jms = connectionFactory().createContext();
                JMSContext sender = remote.createContext(Phi4ServerSetup.SENDER, Phi4ServerSetup.PASSWORD)) {
            TemporaryQueue replies = jms.createTemporaryQueue();
            TextMessage text = sender.createTextMessage(json.write(request));
            text.setJMSCorrelationID("it-sender-1");
            text.setJMSReplyTo(replies);
            sender.createProducer().send(requestQueue(), text);

            assertThat(receive(jms, replies, 1).get("it-sender-1").getStringProperty(JmsProperties.STATUS))
                    .isEqualTo("OK");
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    @Order(7)
    void camelRouteInsideTheServerCallsPhi4Generate() {
        Exchange out = camelHost.context().createProducerTemplate().request("direct:it-summarise", e -> e.getMessage()
                .setBody("a long quarterly report"));

        assertThat(out.getException()).isNull();
        assertThat(out.getMessage().getBody()).isInstanceOf(String.class);
        assertThat(out.getMessage().getHeader("CamelPhi4GeneratedTokens", Integer.class))
                .isBetween(1, 8);
        assertThat(out.getMessage().getHeader("CamelPhi4OriginalBody")).isEqualTo("a long quarterly report");
        assertThat(out.getMessage().getHeader("summarisedBy")).isEqualTo("phi4");
        assertThat(camelHost.context().getRegistry().findSingleByType(Phi4Engine.class))
                .isSameAs(engine);
    }

    @Test
    @Order(9)
    void throughputOfTheListenerVersusDirectServiceCalls() throws Exception {
        int messages = 100;
        int rounds = 3; // alternating, so a load spike on the shared machine hits both paths alike
        Phi4Request request = Phi4Request.ofPrompt("Throughput probe");
        request.setMaxNewTokens(2);
        asUser(() -> service.generate(request)); // warm-up
        List<Double> ratios = new ArrayList<>();
        StringBuilder figures = new StringBuilder();
        for (int round = 1; round <= rounds; round++) {
            double directRate = messages / directSeconds(request, messages);
            double jmsRate = messages / jmsSeconds(request, messages);
            ratios.add(jmsRate / directRate);
            figures.append(String.format(
                    "%n  round %d: direct Phi4Service %.1f req/s, JMS listener %.1f msg/s, ratio %.2f",
                    round, directRate, jmsRate, jmsRate / directRate));
        }
        ratios.sort(null);
        System.out.printf(
                "phi4 throughput, %d requests of 2 new tokens per path and round, %d concurrent, demo model:%s%n"
                        + "  median ratio JMS/direct %.2f%n",
                messages, LISTENER_SESSIONS, figures, ratios.get(rounds / 2));
    }

    /** The listener's maxSession (ejb-jar.xml); direct calls use as many threads, so both paths have equal width. */
    private static final int LISTENER_SESSIONS = 8;

    private double directSeconds(Phi4Request request, int messages) throws Exception {
        long start = System.nanoTime();
        List<Future<?>> calls = new ArrayList<>();
        for (int c = 0; c < LISTENER_SESSIONS; c++) {
            int share = messages / LISTENER_SESSIONS + (c < messages % LISTENER_SESSIONS ? 1 : 0);
            calls.add(executor.submit(() -> asUser(() -> {
                for (int i = 0; i < share; i++) {
                    service.generate(request);
                }
                return null;
            })));
        }
        for (Future<?> call : calls) {
            call.get(300, TimeUnit.SECONDS);
        }
        return (System.nanoTime() - start) / 1e9;
    }

    private double jmsSeconds(Phi4Request request, int messages) throws Exception {
        try (JMSContext jms = connectionFactory().createContext()) {
            TemporaryQueue replies = jms.createTemporaryQueue();
            String body = json.write(request);
            long start = System.nanoTime();
            var producer = jms.createProducer().setJMSReplyTo(replies);
            for (int i = 0; i < messages; i++) {
                TextMessage m = jms.createTextMessage(body);
                m.setJMSCorrelationID("tp-" + i);
                producer.send(requestQueue(), m);
            }
            Map<String, Message> answers = receive(jms, replies, messages);
            double seconds = (System.nanoTime() - start) / 1e9;
            assertThat(answers.values()).allSatisfy(m -> assertThat(m.getStringProperty(JmsProperties.STATUS))
                    .isEqualTo("OK"));
            return seconds;
        }
    }

    @Test
    @Order(100)
    void theEngineWasOpenedExactlyOnce() {
        assertThat(Phi4EngineProducer.openedEngines()).isEqualTo(1);
    }

    private static Map<String, Message> receive(JMSContext jms, Queue from, int count) throws Exception {
        Map<String, Message> byCorrelation = new HashMap<>();
        try (JMSConsumer consumer = jms.createConsumer(from)) {
            long deadline = System.currentTimeMillis() + 120_000;
            while (byCorrelation.size() < count && System.currentTimeMillis() < deadline) {
                Message m = consumer.receive(1_000);
                if (m != null) {
                    byCorrelation.put(m.getJMSCorrelationID(), m);
                }
            }
        }
        assertThat(byCorrelation).as("replies").hasSize(count);
        return byCorrelation;
    }

    private static ConnectionFactory connectionFactory() throws NamingException {
        return (ConnectionFactory) new InitialContext().lookup(CONNECTION_FACTORY);
    }

    private static Queue requestQueue() throws NamingException {
        return (Queue) new InitialContext().lookup(Phi4RequestListener.REQUEST_QUEUE);
    }
}
