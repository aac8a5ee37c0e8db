package dev.phi4ee.ear.it;

import dev.phi4ee.ejb.Phi4Roles;
import jakarta.annotation.security.DeclareRoles;
import jakarta.annotation.security.PermitAll;
import jakarta.annotation.security.RunAs;
import jakarta.ejb.Stateless;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import java.util.concurrent.Callable;

/** Runs test code with the role Phi4Service requires (the in-container test itself is anonymous). */
@Stateless
@DeclareRoles(Phi4Roles.USER)
@RunAs(Phi4Roles.USER)
@PermitAll
@TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
public class AsPhi4User {

    public <T> T call(Callable<T> work) throws Exception {
        return work.call();
    }
}
