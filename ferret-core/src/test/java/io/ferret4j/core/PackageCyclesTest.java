package io.ferret4j.core;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The packages of ferret-core depend on each other one way only (e.g. {@code plan}, {@code weights} ← {@code dnnl}
 * ← {@code kernels} ← {@code nn}; docs/architecture.md), so each can be read, tested and replaced without the ones
 * above it.
 */
final class PackageCyclesTest {
    @Test
    void corePackagesHaveNoCycle() {
        JavaClasses classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.ferret4j.core");
        slices().matching("io.ferret4j.core.(*)..").should().beFreeOfCycles().check(classes);
    }
}
