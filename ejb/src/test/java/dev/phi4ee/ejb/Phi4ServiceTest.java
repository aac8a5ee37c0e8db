package dev.phi4ee.ejb;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.annotation.security.DeclareRoles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ejb.SessionContext;
import java.lang.reflect.Proxy;
import java.security.Principal;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

class Phi4ServiceTest {

    @Test
    void everyRequestIsLoggedWithItsCaller() throws Exception {
        Phi4Service service = new Phi4Service();
        service.generator = new Phi4Generator() {
            @Override
            public Phi4Response generate(Phi4Request request) {
                Phi4Response r = new Phi4Response();
                r.setFinishReason("LENGTH");
                r.setGeneratedTokens(4);
                return r;
            }

            @Override
            public CompletableFuture<Phi4Response> generateAsync(Phi4Request request) {
                return CompletableFuture.completedFuture(generate(request));
            }
        };
        Principal bob = () -> "bob";
        service.context = (SessionContext) Proxy.newProxyInstance(
                getClass().getClassLoader(), new Class<?>[] {SessionContext.class}, (p, m, a) -> {
                    if (m.getName().equals("getCallerPrincipal")) {
                        return bob;
                    }
                    throw new UnsupportedOperationException(m.getName());
                });
        Queue<String> lines = new ConcurrentLinkedQueue<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord r) {
                lines.add(r.getMessage());
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        Logger log = Logger.getLogger(Phi4Service.class.getName());
        log.addHandler(capture);
        try {
            service.generate(Phi4Request.ofPrompt("hi"));
            service.generateAsync(Phi4Request.ofPrompt("hi")).get();
        } finally {
            log.removeHandler(capture);
        }
        assertThat(lines)
                .hasSize(2)
                .allSatisfy(line -> assertThat(line).contains("caller=bob").contains("LENGTH"));
    }

    @Test
    void callersNeedThePhi4Role() {
        assertThat(Phi4Service.class.getAnnotation(RolesAllowed.class).value()).containsExactly(Phi4Roles.USER);
        assertThat(Phi4Service.class.getAnnotation(DeclareRoles.class).value()).containsExactly(Phi4Roles.USER);
    }
}
