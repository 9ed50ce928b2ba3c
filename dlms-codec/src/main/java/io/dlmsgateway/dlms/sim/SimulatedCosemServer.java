package io.dlmsgateway.dlms.sim;

import gurux.dlms.GXDLMSConnectionEventArgs;
import gurux.dlms.GXDateTime;
import gurux.dlms.GXEnum;
import gurux.dlms.GXUInt16;
import gurux.dlms.GXUInt32;
import gurux.dlms.ValueEventArgs;
import gurux.dlms.enums.AccessMode;
import gurux.dlms.enums.Authentication;
import gurux.dlms.enums.Conformance;
import gurux.dlms.enums.DataType;
import gurux.dlms.enums.ErrorCode;
import gurux.dlms.enums.InterfaceType;
import gurux.dlms.enums.MethodAccessMode;
import gurux.dlms.enums.ObjectType;
import gurux.dlms.enums.SourceDiagnostic;
import gurux.dlms.objects.GXDLMSAssociationLogicalName;
import gurux.dlms.objects.GXDLMSClock;
import gurux.dlms.objects.GXDLMSData;
import gurux.dlms.objects.GXDLMSDisconnectControl;
import gurux.dlms.objects.GXDLMSObject;
import gurux.dlms.objects.GXDLMSProfileGeneric;
import gurux.dlms.objects.GXDLMSPushSetup;
import gurux.dlms.objects.GXDLMSCaptureObject;
import gurux.dlms.objects.GXDLMSRegister;
import gurux.dlms.objects.enums.AssociationStatus;
import gurux.dlms.objects.enums.ControlMode;
import gurux.dlms.objects.enums.ControlState;
import gurux.dlms.secure.GXDLMSSecureServer2;
import io.dlmsgateway.dlms.CosemDateTime;
import io.dlmsgateway.dlms.DeviationSign;
import io.dlmsgateway.dlms.Framing;
import io.dlmsgateway.dlms.Measurement;
import io.dlmsgateway.dlms.MeasurementCatalog;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.EnumSet;
import java.util.Set;

/**
 * The COSEM side of one connection to a simulated meter: a Gurux server with its own object model, made when the
 * connection's first request arrives and dropped with the connection (one Gurux server serves one association at a
 * time, and its objects hold per-association state). Touched only from the connection's event loop.
 *
 * <p>No association object is assigned to a client address: that lets one server take NONE from client 16 and either
 * LOW or HIGH_GMAC from client 1, each checked in {@link #onValidateAuthentication} by the mechanism the AARQ names.
 */
final class SimulatedCosemServer extends GXDLMSSecureServer2 {

    /**
     * Services the meters offer; a client gets the intersection with what it proposes. Not block transfer with SET:
     * Gurux 4.0.47's server drops the first block of a SET-Request-With-First-Datablock (it returns before keeping
     * it) and refuses the next one, so a meter offering it would fail every long write.
     */
    static final Set<Conformance> CONFORMANCE = EnumSet.of(
            Conformance.GET, Conformance.SET, Conformance.ACTION,
            Conformance.BLOCK_TRANSFER_WITH_GET_OR_READ,
            Conformance.BLOCK_TRANSFER_WITH_ACTION, Conformance.MULTIPLE_REFERENCES, Conformance.SELECTIVE_ACCESS);

    private static final String ASSOCIATION_LN = "0.0.40.0.0.255";
    /** Push setup: what the meter pushes ({@link MeterPushes}). */
    static final String PUSH_SETUP_LN = "0.0.25.9.0.255";
    /** Clock (class 8) method 6, shift_time. */
    private static final int SHIFT_TIME = 6;
    /** The Disconnect control (class 70) of IEC 62056-6-2 and its writable Data objects. */
    static final String DISCONNECT_CONTROL = "0.0.96.3.10.255";
    static final String CUSTOMER_NOTE = "0.0.96.1.1.255";
    static final String MEASUREMENT_PERIOD = "1.0.0.8.0.255";
    private static final int OUTPUT_STATE = 2;
    private static final int CONTROL_STATE = 3;
    private static final int CONTROL_MODE = 4;
    private static final int REMOTE_DISCONNECT = 1;
    private static final int REMOTE_RECONNECT = 2;
    /** Longest customer note the meter keeps, as a real meter's fixed-size field. */
    static final int MAX_NOTE_OCTETS = 128;

    /** A register that knows which simulated measurement it is. */
    private static final class SimulatedRegister extends GXDLMSRegister {
        final String measurement;

        SimulatedRegister(Measurement m) {
            super(m.obis().toString());
            this.measurement = m.name();
            SimulatedMeasurements.Spec spec = SimulatedMeasurements.spec(m.name());
            // parsed from text so the double is the one nearest 10^scaler, which Gurux's log10 maps back exactly
            setScaler(Double.parseDouble("1e" + spec.scaler()));
            setUnit(spec.unit());
            setDataType(2, spec.dataType());
        }
    }

    private final SimulatedMeter meter;
    private final MeterAddressing addressing;
    private final byte[] password;
    private final Clock clock;
    /** How this meter writes and reads its date-times: local time at this offset, the deviation signed this way. */
    private final ZoneOffset utcOffset;
    private final DeviationSign deviationSign;
    private final GXDLMSAssociationLogicalName association;
    private final GXDLMSClock meterClock;
    private final GXDLMSData invocationCounter;
    private final GXDLMSProfileGeneric loadProfile;
    private final GXDLMSProfileGeneric eventLog;
    private final GXDLMSDisconnectControl disconnectControl;
    private final GXDLMSData customerNote;
    private final GXDLMSData measurementPeriod;
    /** The manufacturer-specific parameters (double-long-unsigned), writable by the management client. */
    private final java.util.Set<GXDLMSObject> parameters = java.util.Collections.newSetFromMap(
            new java.util.IdentityHashMap<>());
    private final SimulatedProfileBuffer profiles;
    private boolean associationAccepted;
    /** Set for an AARQ whose invocation counter the meter has seen before: the association is rejected. */
    private boolean refuseNextAssociation;
    /** Set while the request being handled reads a register's value: its reply is a served reading. */
    private boolean readingRegisterValue;

    SimulatedCosemServer(SimulatedMeter meter, SimulatorOptions options, MeterAddressing addressing) {
        this(new GXDLMSAssociationLogicalName(ASSOCIATION_LN), meter, options, addressing);
    }

    private SimulatedCosemServer(GXDLMSAssociationLogicalName association, SimulatedMeter meter,
            SimulatorOptions options, MeterAddressing addressing) {
        super(association, options.framing() == Framing.HDLC ? InterfaceType.HDLC : InterfaceType.WRAPPER);
        this.association = association;
        this.meter = meter;
        this.addressing = addressing;
        this.password = options.password().getBytes(StandardCharsets.UTF_8);
        this.clock = options.clock();
        this.utcOffset = options.utcOffset();
        this.deviationSign = options.deviationSign();

        int index = meter.index();
        getCiphering().setSystemTitle(addressing.serverSystemTitle(index));
        getCiphering().setBlockCipherKey(options.blockCipherKey());
        getCiphering().setAuthenticationKey(options.authenticationKey());
        getCiphering().setInvocationCounter(meter.invocationCounter());
        setConformance(EnumSet.copyOf(CONFORMANCE));
        setMaxReceivePDUSize(options.maxPduSize());
        association.getXDLMSContextInfo().setMaxReceivePduSize(options.maxPduSize());
        association.getXDLMSContextInfo().setMaxSendPduSize(options.maxPduSize());

        var items = getItems();
        items.add(data("0.0.42.0.0.255", DataType.OCTET_STRING,
                String.format("GRXSIM%010d", index).getBytes(StandardCharsets.US_ASCII)));
        items.add(data("0.0.96.1.0.255", DataType.STRING, String.format("SIM%08d", index)));
        items.add(data("1.0.0.2.0.255", DataType.STRING, "dlms-gateway simulator"));
        invocationCounter = data("0.0.43.1.0.255", DataType.UINT32, 0L);
        items.add(invocationCounter);
        meterClock = new GXDLMSClock(MeasurementCatalog.CLOCK.toString());
        items.add(meterClock);
        // Attribute 2's type is left NONE on the writable Data objects: for a typed attribute Gurux's server converts
        // an octet-string written to it into that type before anyone sees it, which would accept what a real meter
        // refuses as type-unmatched. The values' own Java types (byte[], GXUInt16) give the types read back.
        customerNote = data(CUSTOMER_NOTE, DataType.NONE, new byte[0]);
        items.add(customerNote);
        measurementPeriod = data(MEASUREMENT_PERIOD, DataType.NONE, new GXUInt16(0));
        items.add(measurementPeriod);
        disconnectControl = new GXDLMSDisconnectControl(DISCONNECT_CONTROL);
        items.add(disconnectControl);
        for (Measurement m : MeasurementCatalog.standard()) {
            items.add(new SimulatedRegister(m));
        }
        profiles = new SimulatedProfileBuffer(options, index);
        GXDLMSData eventCode = data(SimulatedProfiles.EVENT_CODE.toString(), DataType.UINT8, (short) 0);
        items.add(eventCode);
        // period 0 until Gurux's initialize() has run: for a profile with a capture period, initialize() starts a
        // GXProfileGenericUpdater thread that captures into the object's own buffer, and nothing stops it when the
        // connection ends. The buffer is computed at each read here, so that thread is never needed; with it, a
        // simulator held one thread per connection ever made (10 000+ at 5 000 meters, past the machine's pid_max
        // once two simulators ran beside a gateway).
        loadProfile = profile(SimulatedProfiles.LOAD_PROFILE, 0,
                meterClock, (GXDLMSObject) items.findByLN(ObjectType.REGISTER, SimulatedProfiles.ENERGY.toString()),
                (GXDLMSObject) items.findByLN(ObjectType.REGISTER, SimulatedProfiles.VOLTAGE.toString()));
        items.add(loadProfile);
        eventLog = profile(SimulatedProfiles.EVENT_LOG, 0, meterClock, eventCode);
        items.add(eventLog);
        items.add(pushSetup(items));
        // manufacturer-specific parameters, so the object list is as long as a real meter's and needs blocks
        for (int i = 0; i < options.extraObjects(); i++) {
            GXDLMSData parameter = data("0.128.96.50." + i + ".255", DataType.UINT32, (long) i);
            parameters.add(parameter);
            items.add(parameter);
        }
        initialize();
        loadProfile.setCapturePeriod(options.profilePeriod().getSeconds());
    }

    /** A profile whose buffer {@link SimulatedProfileBuffer} computes at each read; it holds no rows itself. */
    private static GXDLMSProfileGeneric profile(io.dlmsgateway.dlms.ObisCode ln, long periodSeconds,
            GXDLMSObject... captured) {
        GXDLMSProfileGeneric pg = new GXDLMSProfileGeneric(ln.toString());
        for (GXDLMSObject o : captured) {
            pg.addCaptureObject(o, 2, 0);
        }
        pg.setCapturePeriod(periodSeconds);
        pg.setSortObject(captured[0]);
        return pg;
    }

    /**
     * The Push setup object (class 40) describing what {@link MeterPushes} sends: logical device name, clock, active
     * energy and voltage L1, each attribute 2.
     */
    private static GXDLMSPushSetup pushSetup(gurux.dlms.objects.GXDLMSObjectCollection items) {
        GXDLMSPushSetup push = new GXDLMSPushSetup(PUSH_SETUP_LN);
        for (GXDLMSObject o : new GXDLMSObject[]{items.findByLN(ObjectType.DATA, "0.0.42.0.0.255"),
                items.findByLN(ObjectType.CLOCK, MeasurementCatalog.CLOCK.toString()),
                items.findByLN(ObjectType.REGISTER, SimulatedProfiles.ENERGY.toString()),
                items.findByLN(ObjectType.REGISTER, SimulatedProfiles.VOLTAGE.toString())}) {
            push.getPushObjectList().add(new gurux.dlms.GXSimpleEntry<>(o, new GXDLMSCaptureObject(2, 0)));
        }
        return push;
    }

    private static GXDLMSData data(String ln, DataType type, Object value) {
        GXDLMSData d = new GXDLMSData(ln);
        d.setDataType(2, type);
        d.setValue(value);
        return d;
    }

    /**
     * True when the request just handled read a register's value (so its reply, once written, is a served reading);
     * clears the mark.
     */
    boolean takeRegisterValueRead() {
        boolean read = readingRegisterValue;
        readingRegisterValue = false;
        return read;
    }

    /** True once an AARQ passed authentication on this connection (HIGH_GMAC: before its challenge step). */
    boolean associationAccepted() {
        return associationAccepted;
    }

    private boolean managementClient() {
        return getSettings().getClientAddress() == MeterAddressing.MANAGEMENT_CLIENT;
    }

    private boolean associated() {
        return association.getAssociationStatus() == AssociationStatus.ASSOCIATED;
    }

    @Override
    protected boolean isTarget(int serverAddress, int clientAddress) {
        if (clientAddress != MeterAddressing.PUBLIC_CLIENT && clientAddress != MeterAddressing.MANAGEMENT_CLIENT) {
            return false;
        }
        if (getInterfaceType() == InterfaceType.WRAPPER) {
            return serverAddress == MeterAddressing.SERVER_WPORT;
        }
        // GXDLMSClient.getServerAddress packs 7+7 bits below 0x4000 and 14+14 bits above
        int logical = serverAddress < 0x4000 ? serverAddress >>> 7 : serverAddress >>> 14;
        int physical = serverAddress < 0x4000 ? serverAddress & 0x7F : serverAddress & 0x3FFF;
        return logical == MeterAddressing.LOGICAL_ADDRESS && physical == addressing.physicalAddress(meter.index());
    }

    @Override
    protected SourceDiagnostic onValidateAuthentication(Authentication authentication, byte[] pw) {
        SourceDiagnostic result = validate(authentication, pw);
        if (result == SourceDiagnostic.NONE) {
            associationAccepted = true;
            association.setClientSAP(getSettings().getClientAddress());
            association.getAuthenticationMechanismName().setMechanismId(authentication);
        }
        return result;
    }

    /**
     * Whether the AARQ about to be handled is to be rejected because its invocation counter is one the meter has
     * already accepted; set before every request.
     */
    void refuseNextAssociation(boolean refuse) {
        refuseNextAssociation = refuse;
    }

    private SourceDiagnostic validate(Authentication authentication, byte[] pw) {
        if (meter.fault() == MeterFault.REJECT_ASSOCIATION) {
            return SourceDiagnostic.NO_REASON_GIVEN;
        }
        if (refuseNextAssociation) {
            refuseNextAssociation = false;
            return SourceDiagnostic.AUTHENTICATION_FAILURE;
        }
        if (!managementClient()) {
            return authentication == Authentication.NONE ? SourceDiagnostic.NONE : SourceDiagnostic.NOT_RECOGNISED;
        }
        return switch (authentication) {
            case NONE -> SourceDiagnostic.MECHANISM_NAME_REGUIRED;
            case LOW -> pw != null && MessageDigest.isEqual(password, pw)
                    ? SourceDiagnostic.NONE : SourceDiagnostic.AUTHENTICATION_FAILURE;
            // the client proves its keys in the reply_to_HLS_authentication step that follows
            case HIGH_GMAC -> SourceDiagnostic.NONE;
            default -> SourceDiagnostic.NOT_RECOGNISED;
        };
    }

    @Override
    public void onPreRead(ValueEventArgs[] args) {
        for (ValueEventArgs e : args) {
            GXDLMSObject target = e.getTarget();
            if (e.getIndex() != 2) {
                continue;
            }
            if (target instanceof SimulatedRegister r) {
                readingRegisterValue = true;
                r.setValue(SimulatedMeasurements.raw(r.measurement, meter.index(), clock.millis()));
            } else if (target == meterClock) {
                // the meter's own time (simulator clock plus its offset), as local time at its UTC offset with the
                // deviation signed its way, like the date-times of its profile rows
                e.setValue(CosemDateTime.of(meter.now(), utcOffset, deviationSign, 0).encode());
                e.setHandled(true);
            } else if (target == customerNote) {
                customerNote.setValue(meter.customerNote());
            } else if (target == measurementPeriod) {
                measurementPeriod.setValue(new GXUInt16(meter.measurementPeriod()));
            } else if (target == invocationCounter) {
                // the frame counter of the management client: the last counter accepted from it (Gurux's reader
                // starts at value + 1); 0 before any
                invocationCounter.setValue(Math.max(0L, meter.lastAcceptedCounter(MeterAddressing.MANAGEMENT_CLIENT)));
            }
        }
        for (ValueEventArgs e : args) {
            if (e.getTarget() == disconnectControl) {
                // the relay lives in SimulatedMeter, across associations; Gurux encodes it from the object
                SimulatedMeter.ControlState state = meter.controlState();
                disconnectControl.setOutputState(state == SimulatedMeter.ControlState.CONNECTED);
                disconnectControl.setControlState(ControlState.values()[state.value()]);
                disconnectControl.setControlMode(ControlMode.values()[meter.controlMode()]);
            }
            if (e.getTarget() == loadProfile || e.getTarget() == eventLog) {
                readProfile((GXDLMSProfileGeneric) e.getTarget(), e);
            }
        }
    }

    /**
     * Attribute 2 (the buffer) is computed for the rows asked for, 7 and 8 from the meter's time; the rest (capture
     * objects, period, sort) Gurux serves from the profile object.
     */
    private void readProfile(GXDLMSProfileGeneric pg, ValueEventArgs e) {
        long now = profileNow();
        if (e.getIndex() == 2) {
            SimulatedProfileBuffer.Answer answer = pg == loadProfile
                    ? profiles.loadProfile(now, e.getSelector(), e.getParameters())
                    : profiles.eventLog(now, e.getSelector(), e.getParameters());
            e.setValue(answer.value());
            e.setByteArray(true);
            e.setError(answer.error());
            e.setHandled(true);
        } else if (e.getIndex() == 7 || e.getIndex() == 8) {
            long entries = pg == loadProfile ? profiles.loadEntries()
                    : e.getIndex() == 7 ? profiles.eventEntriesInUse(now) : profiles.eventEntries();
            // Gurux keeps both as ints; the simulated histories stay far below that
            if (e.getIndex() == 7) {
                pg.setEntriesInUse((int) Math.min(Integer.MAX_VALUE, entries));
            } else {
                pg.setProfileEntries((int) Math.min(Integer.MAX_VALUE, entries));
            }
        }
    }

    /** The meter's time for its profiles, epoch ms: its own clock, so rows follow a clock that was set or shifted. */
    private long profileNow() {
        return meter.nowMillis();
    }

    @Override
    protected AccessMode onGetAttributeAccess(ValueEventArgs arg) {
        if (!associated()) {
            return AccessMode.NO_ACCESS;
        }
        GXDLMSObject target = arg.getTarget();
        if (target == association && arg.getIndex() == 7) {
            return AccessMode.NO_ACCESS; // the secret
        }
        // as a real meter: whoever is associated reads; only the management client writes, and only these
        if (managementClient() && (arg.getIndex() == 2
                && (target == meterClock || target == customerNote || target == measurementPeriod
                        || parameters.contains(target))
                || target == disconnectControl && arg.getIndex() == CONTROL_MODE)) {
            return AccessMode.READ_WRITE;
        }
        return AccessMode.READ;
    }

    @Override
    protected MethodAccessMode onGetMethodAccess(ValueEventArgs arg) {
        GXDLMSObject target = arg.getTarget();
        if (target == association && arg.getIndex() == 1) {
            return MethodAccessMode.ACCESS; // reply_to_HLS_authentication, needed before the association completes
        }
        if (associated() && managementClient()
                && (target == meterClock || target instanceof SimulatedRegister && arg.getIndex() == 1
                        || target == disconnectControl
                                && (arg.getIndex() == REMOTE_DISCONNECT || arg.getIndex() == REMOTE_RECONNECT))) {
            return MethodAccessMode.ACCESS;
        }
        return MethodAccessMode.NO_ACCESS;
    }

    @Override
    public void onPostRead(ValueEventArgs[] args) {
    }

    @Override
    public void onPreGet(ValueEventArgs[] args) {
    }

    @Override
    public void onPostGet(ValueEventArgs[] args) {
    }

    @Override
    protected GXDLMSObject onFindObject(ObjectType objectType, int sn, String ln) {
        return null;
    }

    @Override
    protected void onPreWrite(ValueEventArgs[] args) {
        for (ValueEventArgs e : args) {
            // Gurux's server takes any type for any attribute; a real meter refuses a value of another type than
            // the attribute's with type-unmatched. Gurux hands over its own Java types, one per A-XDR type here
            // (byte[] octet-string, GXUInt16 long-unsigned, GXEnum enum).
            if (e.getTarget() == customerNote) {
                e.setHandled(true);
                if (!(e.getValue() instanceof byte[] note)) {
                    e.setError(ErrorCode.UNMATCHED_TYPE);
                } else if (note.length > MAX_NOTE_OCTETS) {
                    e.setError(ErrorCode.OTHER_REASON);
                } else {
                    meter.customerNote(note);
                }
                continue;
            }
            if (e.getTarget() == measurementPeriod) {
                e.setHandled(true);
                if (!(e.getValue() instanceof GXUInt16 seconds)) {
                    e.setError(ErrorCode.UNMATCHED_TYPE);
                } else {
                    meter.measurementPeriod(seconds.intValue());
                }
                continue;
            }
            if (parameters.contains(e.getTarget()) && !(e.getValue() instanceof GXUInt32)) {
                e.setHandled(true);
                e.setError(ErrorCode.UNMATCHED_TYPE);
                continue;
            }
            if (e.getTarget() == disconnectControl && e.getIndex() == CONTROL_MODE) {
                e.setHandled(true);
                if (!(e.getValue() instanceof GXEnum mode)) {
                    e.setError(ErrorCode.UNMATCHED_TYPE);
                } else if (mode.intValue() > 6) {
                    e.setError(ErrorCode.OTHER_REASON);
                } else {
                    meter.controlMode(mode.intValue());
                }
                continue;
            }
            if (e.getTarget() == meterClock && e.getIndex() == 2) {
                e.setHandled(true);
                Optional<Instant> time = Optional.empty();
                try {
                    if (e.getValue() instanceof byte[] octets) {
                        time = CosemDateTime.decode(octets).toInstant(deviationSign, utcOffset);
                    } else if (e.getValue() instanceof GXDateTime dt) {
                        time = Optional.of(dt.getValue().toInstant());
                    } else {
                        e.setError(ErrorCode.UNMATCHED_TYPE);
                        continue;
                    }
                } catch (IllegalArgumentException malformed) {
                    time = Optional.empty();
                }
                if (time.isPresent()) {
                    meter.setTime(time.get());
                } else {
                    e.setError(ErrorCode.OTHER_REASON); // a time that names no instant: refused, clock unchanged
                }
            }
        }
    }

    @Override
    protected void onPostWrite(ValueEventArgs[] args) {
    }

    @Override
    protected void onPreAction(ValueEventArgs[] args) {
        for (ValueEventArgs e : args) {
            if (e.getTarget() == disconnectControl) {
                e.setHandled(true);
                // both methods take integer(0) (Gurux hands an A-XDR integer over as a Byte); the mode decides
                // where remote_reconnect leads (SimulatedMeter.remoteReconnect)
                if (!(e.getParameters() instanceof Byte zero) || zero != 0) {
                    e.setError(ErrorCode.UNMATCHED_TYPE);
                } else if (!(e.getIndex() == REMOTE_DISCONNECT ? meter.remoteDisconnect() : meter.remoteReconnect())) {
                    e.setError(ErrorCode.UNAVAILABLE_OBJECT);
                }
                continue;
            }
            if (e.getTarget() == meterClock && e.getIndex() == SHIFT_TIME) {
                e.setHandled(true);
                // shift_time (long, seconds): the standard allows -900..900; anything else is refused
                if (e.getParameters() instanceof Number seconds && Math.abs(seconds.longValue()) <= 900) {
                    meter.shiftTime(seconds.longValue());
                } else {
                    e.setError(ErrorCode.OTHER_REASON);
                }
            }
        }
    }

    @Override
    protected void onPostAction(ValueEventArgs[] args) {
    }

    @Override
    protected void onConnected(GXDLMSConnectionEventArgs connectionInfo) {
    }

    @Override
    protected void onInvalidConnection(GXDLMSConnectionEventArgs connectionInfo) {
    }

    @Override
    protected void onDisconnected(GXDLMSConnectionEventArgs connectionInfo) {
        associationAccepted = false;
    }
}
