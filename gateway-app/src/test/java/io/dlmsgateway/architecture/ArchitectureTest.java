package io.dlmsgateway.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.core.importer.Location;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import com.tngtech.archunit.lang.syntax.ArchRuleDefinition;

/**
 * The architecture rules of DESIGN.md §2, checked on the production classes of every module (tests and the bench
 * module are not part of the product). A broken rule fails the build with the offending dependency named.
 *
 * <pre>
 * cli (gateway-app)
 *  └ config ─────────────────────────┐
 *     └ gateway, spool (gateway-core) │
 *        ├ fleet (meter-fleet)        │   thingsboard.broker (tb-broker): only the app uses it
 *        │  └ dlms (dlms-codec)       │
 *        └ thingsboard (tb-transport) │
 *           └ resources (gateway-resources): everyone
 * </pre>
 */
@AnalyzeClasses(packages = "io.dlmsgateway", importOptions = {ArchitectureTest.ProductionClasses.class})
class ArchitectureTest {

    @ArchTest
    static final ArchRule modulesDependDownwardOnly = layeredArchitecture()
            .consideringOnlyDependenciesInLayers()
            .layer("App").definedBy("io.dlmsgateway.cli..")
            .layer("Config").definedBy("io.dlmsgateway.config..")
            .layer("Gateway").definedBy("io.dlmsgateway.gateway..")
            .layer("Spool").definedBy("io.dlmsgateway.spool..")
            .layer("Fleet").definedBy("io.dlmsgateway.fleet..")
            .layer("Dlms").definedBy("io.dlmsgateway.dlms..")
            .layer("ThingsBoard").definedBy(JavaClassesIn.THINGSBOARD_WITHOUT_BROKER)
            .layer("Broker").definedBy("io.dlmsgateway.thingsboard.broker..")
            .layer("Resources").definedBy("io.dlmsgateway.resources..")
            .whereLayer("App").mayNotBeAccessedByAnyLayer()
            .whereLayer("Config").mayOnlyBeAccessedByLayers("App")
            .whereLayer("Gateway").mayOnlyBeAccessedByLayers("Config", "App")
            .whereLayer("Spool").mayOnlyBeAccessedByLayers("Gateway", "Config", "App")
            .whereLayer("Fleet").mayOnlyBeAccessedByLayers("Gateway", "Config", "App")
            .whereLayer("ThingsBoard").mayOnlyBeAccessedByLayers("Gateway", "Config", "App")
            .whereLayer("Dlms").mayOnlyBeAccessedByLayers("Fleet", "Gateway", "Config", "App")
            .whereLayer("Broker").mayOnlyBeAccessedByLayers("App")
            .whereLayer("Resources").mayOnlyBeAccessedByLayers("Dlms", "Fleet", "ThingsBoard", "Spool", "Gateway",
                    "Config", "App");

    @ArchTest
    static final ArchRule theFleetKnowsNothingOfConfigurationSpoolOrThingsBoard = noClasses()
            .that().resideInAPackage("io.dlmsgateway.fleet..")
            .should().dependOnClassesThat().resideInAnyPackage("io.dlmsgateway.config..", "io.dlmsgateway.spool..",
                    "io.dlmsgateway.thingsboard..", "io.dlmsgateway.gateway..")
            .because("the fleet is the light library an embedder adds for a Flux of readings");

    @ArchTest
    static final ArchRule theThingsBoardTransportKnowsNothingOfDlms = noClasses()
            .that().resideInAPackage("io.dlmsgateway.thingsboard..")
            .should().dependOnClassesThat().resideInAnyPackage("io.dlmsgateway.dlms..", "io.dlmsgateway.fleet..",
                    "gurux..")
            .because("tb-transport is a ThingsBoard Gateway API client for any kind of device");

    @ArchTest
    static final ArchRule noLibraryUsesALoggingBackend = noClasses()
            .that().resideOutsideOfPackage("io.dlmsgateway.cli..")
            .should().dependOnClassesThat().resideInAnyPackage("ch.qos.logback..")
            .because("a library logs through the SLF4J API and leaves the backend to its host");

    @ArchTest
    static final ArchRule noPackageCycles = slices().matching("io.dlmsgateway.(*)..").should().beFreeOfCycles();

    @ArchTest
    static final ArchRule noPackageCyclesInsideTheCodec =
            slices().matching("io.dlmsgateway.dlms.(*)..").should().beFreeOfCycles();

    @ArchTest
    static final ArchRule internalStaysInternal = ArchRuleDefinition.classes()
            .should(new ArchCondition<JavaClass>("use internal packages of their own concept only") {
                @Override
                public void check(JavaClass origin, ConditionEvents events) {
                    for (Dependency d : origin.getDirectDependenciesFromSelf()) {
                        String target = d.getTargetClass().getPackageName();
                        int internal = target.indexOf(".internal");
                        if (!target.startsWith("io.dlmsgateway.") || internal < 0) {
                            continue;
                        }
                        String owner = target.substring(0, internal);
                        if (!origin.getPackageName().startsWith(owner)) {
                            events.add(SimpleConditionEvent.violated(d, d.getDescription()
                                    + ": " + target + " is internal to " + owner));
                        }
                    }
                }
            });

    /** Production classes only: neither test classes nor the test-jars other modules share. */
    static final class ProductionClasses implements ImportOption {
        @Override
        public boolean includes(Location location) {
            return !location.contains("/test-classes/") && !location.matches(java.util.regex.Pattern.compile(
                    ".*-tests\\.jar.*"));
        }
    }

    private static final class JavaClassesIn {
        static final com.tngtech.archunit.base.DescribedPredicate<JavaClass> THINGSBOARD_WITHOUT_BROKER =
                com.tngtech.archunit.base.DescribedPredicate.describe("classes of io.dlmsgateway.thingsboard but not"
                        + " its broker", c -> c.getPackageName().startsWith("io.dlmsgateway.thingsboard")
                        && !c.getPackageName().startsWith("io.dlmsgateway.thingsboard.broker"));
    }
}
