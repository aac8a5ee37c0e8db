package dev.phi4ee.ejb;

import jakarta.jms.BytesMessage;
import jakarta.jms.Destination;
import jakarta.jms.Message;
import jakarta.jms.MessageFormatException;
import jakarta.jms.TextMessage;
import java.lang.reflect.Proxy;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * JMS message doubles (dynamic proxies): headers, properties with the JMS conversions, a body that counts its reads.
 * A body declared {@code unreadable} fails the test when read.
 */
final class TestMessages {

    /** A message double and what happened to it. */
    static final class Double {
        final Map<String, Object> properties = new LinkedHashMap<>();
        final AtomicInteger bodyReads = new AtomicInteger();
        String messageId = "ID:m-1";
        String correlationId;
        Destination replyTo = new Destination() {
            @Override
            public String toString() {
                return "replies";
            }
        };
        boolean redelivered;
        String text;
        byte[] bytes;
        long declaredLength = -1;
        boolean unreadable;
        Message message;

        Double delivery(int count) {
            properties.put("JMSXDeliveryCount", count);
            redelivered = count > 1;
            return this;
        }

        Double property(String name, Object value) {
            properties.put(name, value);
            return this;
        }
    }

    private TestMessages() {}

    static Double text(String body) {
        Double d = new Double();
        d.text = body;
        d.message = (Message) Proxy.newProxyInstance(
                TestMessages.class.getClassLoader(), new Class<?>[] {TextMessage.class}, (p, m, a) -> handle(d, m, a));
        return d.delivery(1);
    }

    static Double bytes(byte[] body) {
        Double d = new Double();
        d.bytes = body;
        d.declaredLength = body.length;
        d.message = (Message) Proxy.newProxyInstance(
                TestMessages.class.getClassLoader(), new Class<?>[] {BytesMessage.class}, (p, m, a) -> handle(d, m, a));
        return d.delivery(1);
    }

    private static Object handle(Double d, java.lang.reflect.Method m, Object[] a) throws Exception {
        String name = m.getName();
        switch (name) {
            case "getJMSMessageID":
                return d.messageId;
            case "getJMSCorrelationID":
                return d.correlationId;
            case "getJMSReplyTo":
                return d.replyTo;
            case "getJMSRedelivered":
                return d.redelivered;
            case "propertyExists":
                return d.properties.containsKey((String) a[0]);
            case "getPropertyNames":
                return Collections.enumeration(d.properties.keySet());
            case "getObjectProperty":
                return d.properties.get((String) a[0]);
            case "getStringProperty": {
                Object v = d.properties.get((String) a[0]);
                return v == null ? null : v.toString();
            }
            case "getIntProperty":
                return Integer.valueOf(number(d, (String) a[0]).toString());
            case "getLongProperty":
                return Long.valueOf(number(d, (String) a[0]).toString());
            case "getDoubleProperty":
                return java.lang.Double.valueOf(number(d, (String) a[0]).toString());
            case "getBodyLength":
                return d.declaredLength;
            case "getText":
                read(d);
                return d.text;
            case "readBytes": {
                read(d);
                byte[] into = (byte[]) a[0];
                System.arraycopy(d.bytes, 0, into, 0, Math.min(into.length, d.bytes.length));
                return Math.min(into.length, d.bytes.length);
            }
            case "getBody":
                read(d);
                return d.text != null ? d.text : d.bytes;
            case "toString":
                return "message " + d.messageId;
            case "hashCode":
                return System.identityHashCode(d);
            case "equals":
                return a[0] == d.message;
            default:
                throw new UnsupportedOperationException(name);
        }
    }

    /** JMS conversions: a String converts as valueOf does (NumberFormatException), other types must be numbers. */
    private static Object number(Double d, String name) throws MessageFormatException {
        Object v = d.properties.get(name);
        if (v == null) {
            throw new NumberFormatException("null");
        }
        if (!(v instanceof String) && !(v instanceof Number)) {
            throw new MessageFormatException("cannot convert " + v.getClass().getSimpleName());
        }
        return v;
    }

    private static void read(Double d) {
        if (d.unreadable) {
            throw new AssertionError("the body was read");
        }
        d.bodyReads.incrementAndGet();
    }
}
