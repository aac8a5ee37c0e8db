package dev.phi4ee.ear.it;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.jboss.as.arquillian.api.ServerSetupTask;
import org.jboss.as.arquillian.container.ManagementClient;
import org.jboss.as.controller.client.helpers.Operations;
import org.jboss.dmr.ModelNode;

/**
 * The test server as README's "Security and delivery settings" describes a production one: the request queue only
 * accepts senders with the role {@value #SENDER_ROLE} ({@code guest} may not send), redelivery waits {@value
 * #REDELIVERY_DELAY_MS} ms, and the transaction timeout is short ({@value #TX_TIMEOUT_S} s) so a test can prove that
 * generations do not depend on it. Users: {@value #SENDER} (roles phi4-sender, guest) and {@value #GUEST} (guest).
 */
public class Phi4ServerSetup implements ServerSetupTask {

    static final String SENDER = "phi4-it-sender";
    static final String GUEST = "phi4-it-guest";
    static final String PASSWORD = "phi4-it-Secret1";
    static final String SENDER_ROLE = "phi4-sender";
    static final int REDELIVERY_DELAY_MS = 1000;
    static final int TX_TIMEOUT_S = 2;

    private static final String ADDRESS = "jms.queue.phi4Requests";

    @Override
    public void setup(ManagementClient client, String containerId) throws Exception {
        Path config = Path.of(System.getProperty("jboss.home"), "standalone", "configuration");
        append(config.resolve("application-users.properties"), user(SENDER), user(GUEST));
        append(config.resolve("application-roles.properties"), SENDER + "=" + SENDER_ROLE + ",guest", GUEST + "=guest");
        executeOperation(
                client,
                Operations.createOperation(
                        "load", address("subsystem", "elytron", "properties-realm", "ApplicationRealm")));

        ModelNode security = Operations.createAddOperation(messaging("security-setting", ADDRESS));
        executeOperation(client, security);
        ModelNode sender = Operations.createAddOperation(
                messaging("security-setting", ADDRESS).add("role", SENDER_ROLE));
        sender.get("send").set(true);
        sender.get("consume").set(true);
        executeOperation(client, sender);

        ModelNode delivery = Operations.createAddOperation(messaging("address-setting", ADDRESS));
        delivery.get("redelivery-delay").set(REDELIVERY_DELAY_MS);
        delivery.get("max-delivery-attempts").set(5);
        delivery.get("dead-letter-address").set("jms.queue.DLQ");
        delivery.get("expiry-address").set("jms.queue.ExpiryQueue");
        executeOperation(client, delivery);

        executeOperation(
                client,
                Operations.createWriteAttributeOperation(
                        address("subsystem", "transactions"), "default-timeout", TX_TIMEOUT_S));
    }

    @Override
    public void tearDown(ManagementClient client, String containerId) throws Exception {
        executeOperation(
                client,
                Operations.createUndefineAttributeOperation(address("subsystem", "transactions"), "default-timeout"));
        executeOperation(client, Operations.createRemoveOperation(messaging("address-setting", ADDRESS)));
        executeOperation(client, Operations.createRemoveOperation(messaging("security-setting", ADDRESS)));
    }

    private static ModelNode messaging(String type, String name) {
        return address("subsystem", "messaging-activemq", "server", "default", type, name);
    }

    private static ModelNode address(String... pairs) {
        ModelNode a = new ModelNode().setEmptyList();
        for (int i = 0; i < pairs.length; i += 2) {
            a.add(pairs[i], pairs[i + 1]);
        }
        return a;
    }

    /** The properties realm's entry: HEX(MD5(user:ApplicationRealm:password)), as add-user.sh writes it. */
    private static String user(String name) throws Exception {
        byte[] digest = MessageDigest.getInstance("MD5")
                .digest((name + ":ApplicationRealm:" + PASSWORD).getBytes(StandardCharsets.UTF_8));
        return name + "=" + HexFormat.of().formatHex(digest);
    }

    private static void append(Path file, String... lines) throws Exception {
        String existing = Files.readString(file, StandardCharsets.UTF_8);
        StringBuilder add = new StringBuilder(existing.isEmpty() || existing.endsWith("\n") ? "" : "\n");
        for (String line : lines) {
            if (!existing.lines().toList().contains(line)) {
                add.append(line).append('\n');
            }
        }
        Files.writeString(file, add, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
    }
}
