package io.dlmsgateway.gateway;

import io.dlmsgateway.fleet.FleetStatistics;
import io.dlmsgateway.fleet.PushStatistics;
import io.dlmsgateway.spool.SpoolStatistics;
import io.dlmsgateway.thingsboard.TransportStatistics;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The gateway's counters: meters, spool and ThingsBoard side.
 *
 * @param fleet             the meters
 * @param spool             readings on disk waiting for ThingsBoard
 * @param transport         the MQTT side
 * @param connected         whether the MQTT connection to ThingsBoard is up
 * @param readingsSpooled   readings written to the spool since start
 * @param readingsPublished records ThingsBoard acknowledged since start: readings and profile rows
 * @param profileRowsSpooled     profile rows written to the spool since start, each with its capture time
 * @param profileRowsClockFlagged profile rows delivered with a clock the meter flagged invalid or doubtful (they carry
 *                                {@code clockStatus})
 * @param profileRowsWithoutTime profile rows left out since they had no capture time (not read, not derivable)
 * @param attributeWrites        shared attributes written to meters since start
 * @param attributeWritesFailed  shared-attribute writes refused or failed since start
 * @param attributeWritesPending failed writes kept for their meter's next association now
 * @param devicesPushOnly        devices only heard from through pushes, not polled
 * @param push                   the push listener's counters (zeros without a listener)
 * @param pushSpooled            pushed notifications written to the spool as telemetry since start
 */
public record GatewayStatistics(FleetStatistics fleet, SpoolStatistics spool, TransportStatistics transport,
                                boolean connected, long readingsSpooled, long readingsPublished,
                                long profileRowsSpooled, long profileRowsClockFlagged, long profileRowsWithoutTime,
                                long attributeWrites, long attributeWritesFailed, long attributeWritesPending,
                                long devicesPushOnly, PushStatistics push, long pushSpooled) {

    /**
     * What the gateway publishes as its own telemetry: the seed's metrics (devicesTotal, devicesUp, devicesDown,
     * bytesReceived, bytesSent, messagesReceived, messagesSent) plus readings spooled and published, the spool
     * backlog, what was lost or skipped and why, whether the spool fails ({@code spoolFailing}, {@code spoolError}),
     * shared-attribute writes ({@code attributeWrites}, {@code attributeWritesFailed}, {@code attributeWritesPending})
     * and the push listener's counters ({@code pushNotifications}, {@code pushUnknownSenders}, {@code pushUndecodable},
     * {@code pushConnections}, ...).
     */
    public Map<String, Object> asTelemetry() {
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("devicesTotal", fleet.devicesTotal());
        values.put("devicesUp", fleet.devicesUp());
        values.put("devicesDown", fleet.devicesDown());
        values.put("bytesReceived", fleet.bytesReceived());
        values.put("bytesSent", fleet.bytesSent());
        values.put("messagesReceived", transport.messagesReceived());
        values.put("messagesSent", transport.messagesSent());
        values.put("polls", fleet.polls());
        values.put("pollsFailed", fleet.failures());
        values.put("pollsSkipped", fleet.skipped());
        values.put("readingsSpooled", readingsSpooled);
        values.put("readingsPublished", readingsPublished);
        values.put("profileRowsSpooled", profileRowsSpooled);
        values.put("profileRowsClockFlagged", profileRowsClockFlagged);
        values.put("profileRowsWithoutTime", profileRowsWithoutTime);
        values.put("spoolBacklog", spool.backlogRecords());
        values.put("readingsDropped", spool.dropped());
        // why: the bound (maxSizeMb, maxRecords), the free-space margin, memory full while the disk failed
        values.put("readingsDroppedSpoolFull", spool.droppedForBound());
        values.put("readingsDroppedDiskSpace", spool.droppedForDiskSpace());
        values.put("readingsDroppedSpoolFailing", spool.droppedWhileFailing());
        values.put("spoolFailing", spool.failing());
        values.put("spoolHeld", spool.heldRecords());
        values.put("spoolError", spool.failure().orElse(""));
        values.put("valuesDropped", transport.droppedValues());
        values.put("attributeWrites", attributeWrites);
        values.put("attributeWritesFailed", attributeWritesFailed);
        values.put("attributeWritesPending", attributeWritesPending);
        values.put("devicesPushOnly", devicesPushOnly);
        values.put("pushNotifications", push.notifications());
        values.put("pushSpooled", pushSpooled);
        values.put("pushUnknownSenders", push.unknownSenders());
        values.put("pushUndecodable", push.undecodable());
        values.put("pushReplayed", push.replayed());
        values.put("pushOversize", push.oversize());
        values.put("pushConnections", push.connectionsOpen());
        values.put("pushConnectionsRefused", push.connectionsRefused());
        return values;
    }

    /**
     * What a status line adds about the spool: nothing while it is well; why readings were dropped, when any were;
     * and above all that it fails, with the reason, while it does.
     */
    public static String spoolSummary(SpoolStatistics spool) {
        StringBuilder summary = new StringBuilder();
        if (spool.dropped() > 0) {
            summary.append(" (spool full ").append(spool.droppedForBound()).append(", disk space ")
                    .append(spool.droppedForDiskSpace()).append(", spool failing ").append(spool.droppedWhileFailing())
                    .append(')');
        }
        spool.failure().ifPresent(reason -> summary.append("; SPOOL FAILING, ").append(spool.heldRecords())
                .append(" readings held in memory, retrying: ").append(reason));
        return summary.toString();
    }
}
