package dev.phi4ee.ejb;

/**
 * The security role of the application. It is a logical name: deployers map their users or groups to it (WildFly:
 * the security domain's role mapping or {@code application-roles.properties}), or rename it in {@code ejb-jar.xml}
 * ({@code <method-permission>} overrides {@code @RolesAllowed}); see README, "Security".
 */
public final class Phi4Roles {

    /** May call {@link Phi4Service}. */
    public static final String USER = "phi4-user";

    private Phi4Roles() {}
}
