package dev.berth.lab;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives a test method a fresh {@link Lab} as a parameter and tears it down after the test,
 * whether it passed or failed: {@code @ExtendWith(LabExtension.class) ... void test(Lab lab)}.
 */
public final class LabExtension implements ParameterResolver, AfterEachCallback {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(LabExtension.class);

    @Override
    public boolean supportsParameter(ParameterContext p, ExtensionContext c) {
        return p.getParameter().getType() == Lab.class;
    }

    @Override
    public Object resolveParameter(ParameterContext p, ExtensionContext c) {
        return c.getStore(NS).getOrComputeIfAbsent("lab", k -> Lab.create(), Lab.class);
    }

    @Override
    public void afterEach(ExtensionContext c) {
        Lab lab = c.getStore(NS).remove("lab", Lab.class);
        if (lab != null) lab.close();
    }
}
