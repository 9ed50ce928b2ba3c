package io.dlmsgateway.dlms.sim;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

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
    /** The Disconnect control's control_state: the relay outlives associations, as a real breaker does. */
    private final AtomicReference<ControlState> controlState = new AtomicReference<>(ControlState.CONNECTED);
    private volatile int controlMode;
    /** The customer note (0.0.96.1.1.255) and the measurement period (1.0.0.8.0.255), as last written. */
    private final AtomicReference<byte[]> customerNote = new AtomicReference<>(new byte[0]);
    private volatile int measurementPeriod = DEFAULT_MEASUREMENT_PERIOD;

    /** The measurement period (1.0.0.8.0.255, seconds) a meter starts with. */
    public static final int DEFAULT_MEASUREMENT_PERIOD = 900;

    /**
     * The states of the Disconnect control (class 70, 0.0.96.3.10.255) attribute 3, control_state, by their values
     * in the Blue Book.
     */
    public enum ControlState {
        /** 0: the relay is open, the supply cut. */
        DISCONNECTED,
        /** 1: the relay is closed. */
        CONNECTED,
        /** 2: disconnected, and a manual or local reconnection at the meter would close the relay. */
        READY_FOR_RECONNECTION;

        /** The enum value on the wire. */
        public int value() {
            return ordinal();
        }
    }

    SimulatedMeter(int index, Duration latency, java.time.Clock simulatorClock, Duration clockOffset,
            int controlMode) {
        this.index = index;
        this.latencyNanos = latency.toNanos();
        this.simulatorClock = Objects.requireNonNull(simulatorClock, "simulatorClock");
        this.clockOffsetMillis.set(clockOffset.toMillis());
        this.controlMode = controlMode;
    }

    /** The Disconnect control's control_state now. */
    public ControlState controlState() {
        return controlState.get();
    }

    /** True while the relay is closed (the Disconnect control's output_state). */
    public boolean relayConnected() {
        return controlState.get() == ControlState.CONNECTED;
    }

    /** The Disconnect control's control_mode, 0..6 (see {@link SimulatorOptions.Builder#disconnectControlMode}). */
    public int controlMode() {
        return controlMode;
    }

    /** Sets the control_mode (what writing attribute 4 does); 0..6. */
    public SimulatedMeter controlMode(int mode) {
        this.controlMode = SimulatorOptions.checkControlMode(mode);
        return this;
    }

    /**
     * remote_disconnect (method 1): connected or ready_for_reconnection become disconnected (transitions c and b);
     * false when the control mode is 0, where the Disconnect control is always connected.
     */
    boolean remoteDisconnect() {
        if (controlMode == 0) {
            return false;
        }
        controlState.set(ControlState.DISCONNECTED);
        return true;
    }

    /**
     * remote_reconnect (method 2) from disconnected: modes 2 and 4 go to ready_for_reconnection (transition a, a
     * person at the meter closes the relay), the others to connected (transition d). From any other state nothing
     * changes. False when the control mode is 0.
     */
    boolean remoteReconnect() {
        int mode = controlMode;
        if (mode == 0) {
            return false;
        }
        ControlState next = mode == 2 || mode == 4 ? ControlState.READY_FOR_RECONNECTION : ControlState.CONNECTED;
        controlState.compareAndSet(ControlState.DISCONNECTED, next);
        return true;
    }

    /** A person pressing the meter's button: ready_for_reconnection becomes connected (transition e). */
    public void manualReconnect() {
        controlState.compareAndSet(ControlState.READY_FOR_RECONNECTION, ControlState.CONNECTED);
    }

    /** The customer note (0.0.96.1.1.255, octet-string) as last written; empty at start. */
    public byte[] customerNote() {
        return customerNote.get().clone();
    }

    void customerNote(byte[] note) {
        customerNote.set(note.clone());
    }

    /** The measurement period (1.0.0.8.0.255, long-unsigned seconds) as last written; 900 at start. */
    public int measurementPeriod() {
        return measurementPeriod;
    }

    void measurementPeriod(int seconds) {
        this.measurementPeriod = seconds;
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
