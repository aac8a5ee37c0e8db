package dev.phi4ee.ejb;

import static org.assertj.core.api.Assertions.assertThat;

import dev.phi4ee.core.testkit.Phi4TestModels;
import dev.phi4ee.core.testkit.TestModelSpec;
import jakarta.jms.Connection;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Queue;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.activemq.artemis.api.core.QueueConfiguration;
import org.apache.activemq.artemis.api.core.RoutingType;
import org.apache.activemq.artemis.api.core.SimpleString;
import org.apache.activemq.artemis.core.config.Configuration;
import org.apache.activemq.artemis.core.config.impl.ConfigurationImpl;
import org.apache.activemq.artemis.core.server.ActiveMQServer;
import org.apache.activemq.artemis.core.server.ActiveMQServers;
import org.apache.activemq.artemis.core.settings.impl.AddressSettings;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scale-out with a fault (README "Scaling out", docs/decisions/scale-out-test.md): two consumer JVMs
 * ({@link ScaleOutConsumer}, the EAR's listener) compete for one Artemis queue; one is killed hard (SIGKILL) while it
 * generates. Every request gets exactly one reply, none is lost, and the killed consumer's message is redelivered to
 * the other and answered by it.
 */
class ScaleOutFaultIT {

    private static final int REQUESTS = 12;
    /** Long enough that a kill at the first token lands mid-generation (~0.5 to 1 s per request on the kit model). */
    private static final int TOKENS = 100;
    /** A is killed when it starts its third request: it has answered two, so both consumers took a share. */
    private static final int KILLED_AT_GENERATION = 3;
    /** As the EAR's test server (Phi4ServerSetup) and the README's address setting. */
    private static final long REDELIVERY_DELAY_MS = 1000;

    private static final long DEADLINE_MS = 120_000;

    @TempDir
    Path temp;

    /** Held: JUL keeps loggers weakly, and a collected one would lose its level. */
    private static final java.util.logging.Logger ARTEMIS_LOG = quiet("org.apache.activemq");

    private ActiveMQServer broker;
    private final List<Consumer> consumers = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (Consumer c : consumers) {
            c.process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        if (broker != null) {
            broker.stop();
        }
    }

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void aConsumerKilledMidGenerationLosesNoRequestAndDuplicatesNone() throws Exception {
        Path model = Phi4TestModels.write(
                temp.resolve("model"),
                TestModelSpec.builder()
                        .includeVision(false)
                        .includeSpeech(false)
                        .build());
        String url = startBroker();
        Consumer a = start("A", url, model);
        Consumer b = start("B", url, model);
        a.await("ready");
        b.await("ready");

        ActiveMQConnectionFactory factory = new ActiveMQConnectionFactory(url);
        try (factory;
                Connection connection = factory.createConnection()) {
            Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            Queue replyQueue = session.createTemporaryQueue();
            MessageConsumer replies = session.createConsumer(replyQueue);
            connection.start();
            MessageProducer requests = session.createProducer(session.createQueue(ScaleOutConsumer.QUEUE));
            for (int i = 0; i < REQUESTS; i++) {
                TextMessage m = session.createTextMessage(
                        "{\"prompt\": \"scale-out request " + i + "\", \"maxNewTokens\": " + TOKENS + "}");
                m.setJMSCorrelationID(id(i));
                m.setJMSReplyTo(replyQueue);
                requests.send(m);
            }

            // The kill: on A's generating line, at the first token of its request, with TOKENS - 1 tokens to go.
            // A works on one message at a time and acknowledges each after its reply: the one it generates is its
            // only unacknowledged message, and it has not been answered.
            String killing = null;
            for (int n = 0; n < KILLED_AT_GENERATION; n++) {
                killing = a.await("generating");
            }
            String killedId = killing.split(" ")[1];
            a.process.destroyForcibly(); // SIGKILL: no shutdown hook, no session close, the socket just drops
            assertThat(a.process.waitFor(30, TimeUnit.SECONDS)).isTrue();
            List<String> answeredByA = a.answered();
            assertThat(answeredByA).as("A's share before its kill").hasSize(KILLED_AT_GENERATION - 1);

            Map<String, List<Reply>> byId = new HashMap<>();
            long deadline = System.currentTimeMillis() + DEADLINE_MS;
            while (byId.size() < REQUESTS && System.currentTimeMillis() < deadline) {
                Message m = replies.receive(Math.max(1, deadline - System.currentTimeMillis()));
                if (m != null) {
                    Reply r = Reply.of(m);
                    byId.computeIfAbsent(r.correlationId, k -> new ArrayList<>())
                            .add(r);
                }
            }
            // Every request acknowledged means every reply was sent (a reply is sent, synchronously, before the
            // acknowledgement): what the reply queue holds now is all there will ever be.
            awaitRequestQueueDrained(deadline);
            for (Message m; (m = replies.receive(200)) != null; ) {
                Reply r = Reply.of(m);
                byId.computeIfAbsent(r.correlationId, k -> new ArrayList<>()).add(r);
            }

            Set<String> expected = new LinkedHashSet<>();
            for (int i = 0; i < REQUESTS; i++) {
                expected.add(id(i));
            }
            int lost =
                    (int) expected.stream().filter(id -> !byId.containsKey(id)).count();
            int duplicates = byId.values().stream().mapToInt(l -> l.size() - 1).sum();
            System.out.printf(
                    "phi4: scale-out fault test: %d requests, consumer A killed while generating %s;"
                            + " replies lost = %d, duplicates = %d; A answered %d, B answered %d%n",
                    REQUESTS,
                    killedId,
                    lost,
                    duplicates,
                    a.answered().size(),
                    b.answered().size());

            assertThat(byId.keySet()).as("one reply per request, none lost").isEqualTo(expected);
            assertThat(byId).allSatisfy((id, list) -> {
                assertThat(list).as("replies to %s", id).hasSize(1);
                assertThat(list.getFirst().status).isEqualTo("OK");
                assertThat(list.getFirst().text).isNotBlank();
            });
            assertThat(byId.get(killedId).getFirst().delivery)
                    .as("the killed consumer's message was answered by a redelivery")
                    .isGreaterThanOrEqualTo(2);
            b.awaitAnswered(REQUESTS - answeredByA.size(), deadline); // its stdout may trail its replies
            assertThat(b.events).as("B generated it").contains("generating " + killedId + " 2");
            assertThat(b.answered()).contains(killedId);
            assertThat(b.answered())
                    .as("B answered all the rest, A's killed one included, and none of A's")
                    .hasSize(REQUESTS - answeredByA.size())
                    .doesNotContainAnyElementsOf(answeredByA);
            assertThat(messageCount("DLQ")).as("nothing dead-lettered").isZero();
        }
    }

    /** The broker's INFO lines (its audit log logs every message) would drown the test's output. */
    private static java.util.logging.Logger quiet(String name) {
        java.util.logging.Logger log = java.util.logging.Logger.getLogger(name);
        log.setLevel(java.util.logging.Level.WARNING);
        return log;
    }

    private static String id(int i) {
        return "scale-out-%02d".formatted(i);
    }

    /** Artemis as WildFly's messaging-activemq runs it, with the request address set as README shows. */
    private String startBroker() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Configuration config = new ConfigurationImpl()
                .setPersistenceEnabled(false)
                .setSecurityEnabled(false)
                .setJournalDirectory(temp.resolve("journal").toString())
                .setBindingsDirectory(temp.resolve("bindings").toString())
                .setLargeMessagesDirectory(temp.resolve("large").toString())
                .setPagingDirectory(temp.resolve("paging").toString())
                .addAcceptorConfiguration("tcp", "tcp://127.0.0.1:" + port)
                .addAddressSetting(
                        "#", // as WildFly's default address setting
                        new AddressSettings()
                                .setDeadLetterAddress(SimpleString.of("DLQ"))
                                .setExpiryAddress(SimpleString.of("ExpiryQueue")))
                .addAddressSetting(
                        ScaleOutConsumer.QUEUE,
                        new AddressSettings()
                                .setRedeliveryDelay(REDELIVERY_DELAY_MS)
                                .setMaxDeliveryAttempts(5)
                                .setDeadLetterAddress(SimpleString.of("DLQ"))
                                .setExpiryAddress(SimpleString.of("ExpiryQueue")))
                .addQueueConfiguration(
                        QueueConfiguration.of(ScaleOutConsumer.QUEUE).setRoutingType(RoutingType.ANYCAST))
                .addQueueConfiguration(QueueConfiguration.of("DLQ").setRoutingType(RoutingType.ANYCAST))
                .addQueueConfiguration(QueueConfiguration.of("ExpiryQueue").setRoutingType(RoutingType.ANYCAST));
        broker = ActiveMQServers.newActiveMQServer(config, false);
        broker.start();
        // No prefetch: a consumer holds only the message it works on (README "Scaling out": consumer-window-size=0).
        return "tcp://127.0.0.1:" + port + "?consumerWindowSize=0";
    }

    private long messageCount(String queue) {
        return broker.locateQueue(SimpleString.of(queue)).getMessageCount();
    }

    /** Waits until the request queue holds nothing, neither waiting nor delivered and unacknowledged. */
    private void awaitRequestQueueDrained(long deadline) throws InterruptedException {
        var queue = broker.locateQueue(SimpleString.of(ScaleOutConsumer.QUEUE));
        while ((queue.getMessageCount() > 0 || queue.getDeliveringCount() > 0)
                && System.currentTimeMillis() < deadline) {
            Thread.sleep(50); // polls the broker's counters; no ordering depends on this pause
        }
        assertThat(queue.getMessageCount()).as("requests left on the broker").isZero();
    }

    private Consumer start(String name, String url, Path model) throws IOException {
        Path log = Path.of("target", "scale-out", name + ".log");
        Files.createDirectories(log.getParent());
        Process p = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-Xmx512m",
                        "--enable-native-access=ALL-UNNAMED",
                        "-cp",
                        System.getProperty("java.class.path"),
                        ScaleOutConsumer.class.getName(),
                        url,
                        model.toString(),
                        name)
                .redirectError(log.toFile())
                .start();
        Consumer c = new Consumer(name, p, log);
        consumers.add(c);
        return c;
    }

    record Reply(String correlationId, String status, int delivery, String text) {
        static Reply of(Message m) throws JMSException {
            return new Reply(
                    m.getJMSCorrelationID(),
                    m.getStringProperty(JmsProperties.STATUS),
                    m.getIntProperty(JmsProperties.DELIVERY),
                    ((TextMessage) m).getText());
        }
    }

    /** A consumer JVM and the events it printed, read as they come. */
    static final class Consumer {
        final String name;
        final Process process;
        final Path log;
        final List<String> events = new java.util.concurrent.CopyOnWriteArrayList<>();
        private final BlockingQueue<String> unread = new LinkedBlockingQueue<>();

        Consumer(String name, Process process, Path log) {
            this.name = name;
            this.process = process;
            this.log = log;
            Thread.ofPlatform().daemon().name("scale-out-" + name).start(this::read);
        }

        private void read() {
            try (BufferedReader in =
                    new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    if (line.startsWith(ScaleOutConsumer.PREFIX)) {
                        String event = line.substring(ScaleOutConsumer.PREFIX.length());
                        events.add(event);
                        unread.add(event);
                    }
                }
            } catch (IOException e) {
                // the process was killed: its pipe closed
            } finally {
                unread.add("exited");
            }
        }

        /** The next event starting with {@code kind}, skipping others; fails when the process exits first. */
        String await(String kind) throws InterruptedException {
            long deadline = System.currentTimeMillis() + DEADLINE_MS;
            while (System.currentTimeMillis() < deadline) {
                String e = unread.poll(deadline - System.currentTimeMillis(), TimeUnit.MILLISECONDS);
                if (e == null || e.equals("exited")) {
                    break;
                }
                if (e.startsWith(kind)) {
                    return e;
                }
            }
            throw new AssertionError(
                    "consumer " + name + " never said '" + kind + "'; its log (" + log + "):\n" + tail(log));
        }

        /** Waits until this consumer said it answered {@code n} requests, or the deadline passed. */
        void awaitAnswered(int n, long deadline) throws InterruptedException {
            while (answered().size() < n && System.currentTimeMillis() < deadline) {
                Thread.sleep(20); // its output is read by another thread; this only polls what it has read
            }
        }

        List<String> answered() {
            return events.stream()
                    .filter(e -> e.startsWith("answered "))
                    .map(e -> e.substring("answered ".length()))
                    .toList();
        }

        private static String tail(Path log) {
            try {
                List<String> lines = Files.readAllLines(log);
                return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
            } catch (IOException | UncheckedIOException e) {
                return "(unreadable: " + e + ")";
            }
        }
    }
}
