package io.dlmsgateway.bench.baseline;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.concurrent.ThreadFactory;

/**
 * Virtual threads for code compiled for Java 17: {@code Thread.ofVirtual().name(prefix, 0).factory()} looked up at
 * run time. The module keeps release 17 (the project's baseline); only the JVM that runs the virtual-thread target
 * has to be 21 or later.
 */
final class VirtualThreads {

    private VirtualThreads() {
    }

    /** A factory of virtual threads named {@code prefix0}, {@code prefix1}, ... */
    static ThreadFactory factory(String prefix) {
        try {
            MethodHandles.Lookup lookup = MethodHandles.publicLookup();
            Class<?> builder = Class.forName("java.lang.Thread$Builder");
            Class<?> ofVirtual = Class.forName("java.lang.Thread$Builder$OfVirtual");
            MethodHandle of = lookup.findStatic(Thread.class, "ofVirtual", MethodType.methodType(ofVirtual));
            MethodHandle name = lookup.findVirtual(ofVirtual, "name",
                    MethodType.methodType(ofVirtual, String.class, long.class));
            MethodHandle factory = lookup.findVirtual(builder, "factory", MethodType.methodType(ThreadFactory.class));
            Object b = of.invoke();
            b = name.invoke(b, prefix, 0L);
            return (ThreadFactory) factory.invoke(b);
        } catch (ClassNotFoundException | NoSuchMethodException e) {
            throw new UnsupportedOperationException("virtual threads need Java 21 or later; this is "
                    + System.getProperty("java.version"), e);
        } catch (Throwable e) {
            throw new IllegalStateException("cannot create the virtual thread factory", e);
        }
    }
}
