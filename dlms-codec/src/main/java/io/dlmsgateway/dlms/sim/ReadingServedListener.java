package io.dlmsgateway.dlms.sim;

/**
 * Told each time a simulated meter writes a reply that carries register values (attribute 2 of a register, alone
 * or in a GET-with-list), the moment the bytes are handed to its connection. A load harness uses it to know which
 * readings the meters served, so that it can tell a reading lost by the client from one never served.
 *
 * <p>Called on the meter connection's event loop: it must not block (hand the event to a queue).
 */
@FunctionalInterface
public interface ReadingServedListener {

    /**
     * @param meterIndex   the meter's index in its simulator
     * @param epochMillis  when the reply was written, by the simulator's clock ({@link SimulatorOptions#clock()})
     */
    void readingServed(int meterIndex, long epochMillis);

    /** The listener of a simulator nobody listens to. */
    ReadingServedListener NONE = (meterIndex, epochMillis) -> { };
}
