package io.dlmsgateway.fleet.internal;

import io.dlmsgateway.config.DeviceConfig;
import io.dlmsgateway.config.MeterSecurity;
import io.dlmsgateway.dlms.Measurement;
import io.dlmsgateway.dlms.client.DlmsClientSettings;
import io.dlmsgateway.dlms.client.DlmsConnection;
import io.dlmsgateway.dlms.client.ReadResult;
import io.dlmsgateway.dlms.transport.SocketTransport;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.HexFormat;
import java.util.List;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Connects one meter over a {@link DlmsConnection} on the event loop the session was given, so that the meter's
 * socket, its timers and its session state all live on one thread.
 */
public final class DlmsMeterConnector implements MeterConnector {

    private final DeviceConfig device;
    private final DlmsClientSettings settings;
    private final Bootstrap bootstrap;
    // resolved once when the host is an IP literal; a host name is looked up before every attempt, off the loop
    private final InetSocketAddress literalAddress;
    private final OpenAssociations openAssociations;

    public DlmsMeterConnector(DeviceConfig device, EventLoop eventLoop, OpenAssociations openAssociations) {
        this.device = device;
        this.settings = clientSettings(device);
        this.openAssociations = openAssociations;
        this.bootstrap = new Bootstrap()
                .group(eventLoop)
                .channel(SocketTransport.socketChannel(eventLoop))
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT);
        byte[] literal = NetUtil.createByteArrayFromIpAddressString(device.host());
        InetSocketAddress resolved = null;
        if (literal != null) {
            try {
                resolved = new InetSocketAddress(InetAddress.getByAddress(device.host(), literal), device.port());
            } catch (java.net.UnknownHostException impossible) {
                throw new IllegalStateException(impossible);
            }
        }
        this.literalAddress = resolved;
    }

    /** The client settings a device's configuration stands for. */
    public static DlmsClientSettings clientSettings(DeviceConfig device) {
        MeterSecurity security = device.security();
        HexFormat hex = HexFormat.of();
        DlmsClientSettings.Builder b = DlmsClientSettings.builder()
                .framing(device.framing())
                .clientAddress(device.clientAddress())
                .logicalAddress(device.logicalAddress())
                .authentication(security.authentication())
                .connectTimeout(device.connectTimeout())
                .requestTimeout(device.requestTimeout());
        device.physicalAddress().ifPresent(b::physicalAddress);
        security.password().ifPresent(b::password);
        security.blockCipherKey().ifPresent(k -> b.blockCipherKey(hex.formatHex(k)));
        security.authenticationKey().ifPresent(k -> b.authenticationKey(hex.formatHex(k)));
        security.systemTitle().ifPresent(t -> b.clientSystemTitle(hex.formatHex(t)));
        return b.build();
    }

    @Override
    public Mono<MeterAssociation> associate() {
        Mono<InetSocketAddress> address = literalAddress != null ? Mono.just(literalAddress)
                : Mono.fromCallable(() -> new InetSocketAddress(device.host(), device.port()))
                        .subscribeOn(Schedulers.boundedElastic());
        return address.flatMap(this::open);
    }

    private Mono<MeterAssociation> open(InetSocketAddress address) {
        return FutureMono.of(() -> DlmsConnection.open(bootstrap, address, settings, device.name()),
                        DlmsConnection::close)
                .map(connection -> (MeterAssociation) new DlmsAssociation(connection))
                .doOnNext(openAssociations::add);
    }

    private final class DlmsAssociation implements MeterAssociation {

        private final DlmsConnection connection;

        DlmsAssociation(DlmsConnection connection) {
            this.connection = connection;
            connection.closeFuture().whenComplete((v, e) -> openAssociations.remove(this));
        }

        @Override
        public Mono<ReadResult> read(List<Measurement> measurements) {
            return FutureMono.of(() -> connection.read(measurements));
        }

        @Override
        public Mono<Void> release() {
            return FutureMono.of(connection::release);
        }

        @Override
        public void abort() {
            connection.close();
        }

        @Override
        public Mono<Void> onClose() {
            return FutureMono.of(connection::closeFuture);
        }

        @Override
        public boolean isActive() {
            return connection.isActive();
        }

        @Override
        public long bytesReceived() {
            return connection.bytesReceived();
        }

        @Override
        public long bytesSent() {
            return connection.bytesSent();
        }
    }
}
