package io.dlmsgateway.fleet;

import io.dlmsgateway.resources.GatewayResources;
import java.net.InetSocketAddress;
import java.util.List;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Listens on one TCP port for meter-initiated connections and decodes what the meters push: DataNotification and
 * EventNotificationRequest, plain or general-glo-ciphered, over WRAPPER or HDLC. Thousands of connections share the
 * event loops of the {@link GatewayResources} it is given; a peer that sends garbage, floods, stalls or is not known
 * is logged with its address, counted and closed without touching the others.
 *
 * <pre>{@code
 * PushListener listener = PushListener.bind(PushListenerOptions.of("0.0.0.0", 4059), sources, resources).block();
 * listener.notifications().subscribe(n -> System.out.println(n.device() + " " + n.body()));
 * }</pre>
 */
public final class PushListener {

    // contract for issue 12: implemented on branch h-push

    private PushListener() {
    }

    /**
     * Binds the port and starts accepting.
     *
     * @param sources the meters accepted; a notification no source matches is counted and its connection closed
     */
    public static Mono<PushListener> bind(PushListenerOptions options, List<PushSource> sources,
            GatewayResources resources) {
        return Mono.error(new UnsupportedOperationException("push listener: not yet"));
    }

    /**
     * Every notification decoded and matched, in arrival order per connection. One subscriber; while it does not keep
     * up, up to {@link PushListenerOptions#bufferSize()} wait and then the sockets stop being read. Completes when the
     * listener is closed.
     */
    public Flux<PushNotification> notifications() {
        return Flux.error(new UnsupportedOperationException("push listener: not yet"));
    }

    /** The address bound (the port chosen when 0 was asked for). */
    public InetSocketAddress localAddress() {
        throw new UnsupportedOperationException("push listener: not yet");
    }

    /** The counters now. */
    public PushStatistics statistics() {
        throw new UnsupportedOperationException("push listener: not yet");
    }

    /** Stops accepting, closes every connection, completes {@link #notifications()} after what was decoded. */
    public Mono<Void> close() {
        return Mono.empty();
    }
}
