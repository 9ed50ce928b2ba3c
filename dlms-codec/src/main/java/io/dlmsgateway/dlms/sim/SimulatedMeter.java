package io.dlmsgateway.dlms.sim;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
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
    /**
     * Per client address, the last invocation counter the meter accepted from that client, kept for the meter's life
     * (across associations and connections) as a real meter keeps it: a ciphered request whose counter is not above
     * it is refused (replay protection).
     */
    private final ConcurrentHashMap<Integer, Long> acceptedCounters = new ConcurrentHashMap<>();
    private final AtomicLong replaysRefused = new AtomicLong();
    /** Meter time minus simulator time, in milliseconds: what setting the clock or shift_time changed. */
    private final AtomicLong clockOffsetMillis = new AtomicLong();
    private final java.time.Clock simulatorClock;

    SimulatedMeter(int index, Duration latency, java.time.Clock simulatorClock, Duration clockOffset) {
        this.index = index;
        this.latencyNanos = latency.toNanos();
        this.simulatorClock = Objects.requireNonNull(simulatorClock, "simulatorClock");
        this.clockOffsetMillis.set(clockOffset.toMillis());
    }

    /**
     * The meter's own time now: the simulator's clock plus this meter's clock offset. Every time the meter serves
     * (its clock object, captured rows) follows it, so a meter whose clock was set or shifted serves its own time.
     */
    public java.time.Instant now() {
        return java.time.Instant.ofEpochMilli(nowMillis());
    }

    /** {@link #now()} in epoch milliseconds. */
    public long nowMillis() {
        return simulatorClock.millis() + clockOffsetMillis.get();
    }

    /** How far this meter's clock is ahead of the simulator's (negative: behind). */
    public Duration clockOffset() {
        return Duration.ofMillis(clockOffsetMillis.get());
    }

    /** Puts this meter's clock {@code offset} ahead of the simulator's clock (negative: behind), from now on. */
    public SimulatedMeter clockOffset(Duration offset) {
        clockOffsetMillis.set(offset.toMillis());
        return this;
    }

    /** Sets the meter's clock to {@code time} (what writing the clock's attribute 2 does). */
    void setTime(java.time.Instant time) {
        clockOffsetMillis.set(time.toEpochMilli() - simulatorClock.millis());
    }

    /** Moves the meter's clock by {@code seconds} (what the clock's shift_time method does). */
    void shiftTime(long seconds) {
        clockOffsetMillis.addAndGet(seconds * 1000);
    }

    /**
     * The last invocation counter this meter accepted from the client, or -1 if it has accepted none. This is what
     * its frame-counter object (0.0.43.1.0.255) shows the public client for the management client: Gurux's reader
     * reads it and starts its association at value + 1.
     */
    public long lastAcceptedCounter(int clientAddress) {
        return acceptedCounters.getOrDefault(clientAddress, -1L);
    }

    /** Ciphered requests this meter refused because their invocation counter was not above the last accepted. */
    public long replaysRefused() {
        return replaysRefused.get();
    }

    void replayRefused() {
        replaysRefused.incrementAndGet();
    }

    /** True when {@code counter} is above every counter this meter accepted from that client so far. */
    boolean counterFresh(int clientAddress, long counter) {
        return counter > lastAcceptedCounter(clientAddress);
    }

    /** Records a counter the meter accepted from the client (never lowers what it remembers). */
    void counterAccepted(int clientAddress, long counter) {
        acceptedCounters.merge(clientAddress, counter, Math::max);
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

    /** The next invocation counter for an APDU the meter ciphers on its own (a pushed notification). */
    long nextInvocationCounter() {
        return invocationCounter.incrementAndGet();
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
