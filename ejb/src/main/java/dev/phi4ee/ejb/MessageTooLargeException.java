package dev.phi4ee.ejb;

/** A request message over {@code phi4.jms.maxMessageBytes}, refused before its body was read. */
public class MessageTooLargeException extends MalformedMessageException {
    private static final long serialVersionUID = 1L;

    public MessageTooLargeException(String message) {
        super(message);
    }
}
