package io.dlmsgateway.dlms.sim;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One simulated meter and its run-time knobs. Safe to use from any thread; a change applies from the next request on,
 * to every open connection of the meter.
 *
 * <p>While no client is connected a meter costs only this object and its listening socket: the COSEM objects and the
 * Gurux server are made per accepted connection and dropped when it closes.
 */
public final class SimulatedMeter {

    private final int index;
    private volatile InetSocketAddress address;
    private volatile long latencyNanos;
    private volatile MeterFault fault = MeterFault.NONE;
    private final AtomicInteger openConnections = new AtomicInteger();
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong readingsServed = new AtomicLong();
    private volatile ReadingServedListener servedListener = ReadingServedListener.NONE;
    /** Highest frame counter the meter has used in ciphered replies, kept across connections as real meters do. */
    private final AtomicLong invocationCounter = new AtomicLong();

    SimulatedMeter(int index, Duration latency) {
        this.index = index;
        this.latencyNanos = latency.toNanos();
    }

    /** Position of the meter in the simulator, from 0. Its values, port and addresses derive from it. */
    public int index() {
        return index;
    }

    /** Where the meter listens. */
    public InetSocketAddress address() {
        return address;
    }

    void address(InetSocketAddress address) {
        this.address = address;
    }

    /** Delay before each reply is sent. */
    public Duration latency() {
        return Duration.ofNanos(latencyNanos);
    }

    /** Delays each following reply by {@code latency} (zero: answer at once). */
    public SimulatedMeter latency(Duration latency) {
        if (latency == null || latency.isNegative()) {
            throw new IllegalArgumentException("latency must be zero or positive: " + latency);
        }
        this.latencyNanos = latency.toNanos();
        return this;
    }

    long latencyNanos() {
        return latencyNanos;
    }

    public MeterFault fault() {
        return fault;
    }

    /** Makes the meter misbehave from the next request on. */
    public SimulatedMeter fault(MeterFault fault) {
        this.fault = Objects.requireNonNull(fault, "fault");
        return this;
    }

    /** Clears any fault; equal to {@code fault(MeterFault.NONE)}. */
    public SimulatedMeter heal() {
        return fault(MeterFault.NONE);
    }

    /** TCP connections to this meter open right now. */
    public int openConnections() {
        return openConnections.get();
    }

    /** Requests (complete frames) received since start, including those a fault swallowed. */
    public long requestCount() {
        return requests.get();
    }

    /** Replies carrying register values this meter has written since start (see {@link ReadingServedListener}). */
    public long readingsServed() {
        return readingsServed.get();
    }

    void servedListener(ReadingServedListener listener) {
        this.servedListener = listener;
    }

    void readingServed(long epochMillis) {
        readingsServed.incrementAndGet();
        servedListener.readingServed(index, epochMillis);
    }

    void connectionOpened() {
        openConnections.incrementAndGet();
    }

    void connectionClosed() {
        openConnections.decrementAndGet();
    }

    long invocationCounter() {
        return invocationCounter.get();
    }

    void invocationCounterUsed(long value) {
        invocationCounter.accumulateAndGet(value, Math::max);
    }

    void requestReceived() {
        requests.incrementAndGet();
    }

    @Override
    public String toString() {
        return "SimulatedMeter{index=" + index + ", address=" + address + ", fault=" + fault + ", latency="
                + latency() + "}";
    }
}
