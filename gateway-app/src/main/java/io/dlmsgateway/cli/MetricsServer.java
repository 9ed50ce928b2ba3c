package io.dlmsgateway.cli;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dlmsgateway.gateway.GatewayStatistics;
import io.dlmsgateway.thingsboard.ConnectionProblem;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.function.Supplier;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerResponse;

/**
 * {@code /metrics} (Prometheus text), {@code /health/live} and {@code /health/ready} over HTTP, served by Reactor
 * Netty on the gateway's own event loops: no thread of its own.
 *
 * <p>Live: the process answers (the event loops that carry the meters are not stuck). Ready: ThingsBoard connected and
 * the spool writing; otherwise 503 with the reason, so a service manager or Kubernetes can tell the gateway that cannot
 * deliver from the one that cannot run.
 */
final class MetricsServer implements AutoCloseable {

    private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private final PrometheusMeterRegistry registry;
    private final JvmGcMetrics gc;
    private final DisposableServer server;

    private MetricsServer(PrometheusMeterRegistry registry, JvmGcMetrics gc, DisposableServer server) {
        this.registry = registry;
        this.gc = gc;
        this.server = server;
    }

    /** A Prometheus registry with the JVM's and the process's series bound, for the gateway to add its own to. */
    static PrometheusMeterRegistry newRegistry() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
        return registry;
    }

    /**
     * Binds {@code host:port} (port 0: any free one) on the given event loops and serves until closed.
     *
     * @throws IllegalStateException naming the address when it cannot be bound (in use, not local)
     */
    static MetricsServer start(String host, int port, EventLoopGroup eventLoops, PrometheusMeterRegistry registry,
            Supplier<GatewayStatistics> statistics, Supplier<Optional<ConnectionProblem>> problem) {
        JvmGcMetrics gc = new JvmGcMetrics();
        gc.bindTo(registry);
        DisposableServer server;
        try {
            server = HttpServer.create()
                    .host(host)
                    .port(port)
                    .runOn(eventLoops)
                    .route(routes -> routes
                            .get("/metrics", (request, response) -> text(response, HttpResponseStatus.OK,
                                    PROMETHEUS_TEXT, registry.scrape()))
                            .get("/health/live", (request, response) -> text(response, HttpResponseStatus.OK,
                                    "application/json", "{\"status\":\"UP\"}\n"))
                            .get("/health/ready", (request, response) -> ready(response, statistics.get(),
                                    problem.get())))
                    .bindNow();
        } catch (RuntimeException e) {
            gc.close();
            throw new IllegalStateException("metrics: cannot listen on " + host + ":" + port + ": "
                    + rootMessage(e), e);
        }
        return new MetricsServer(registry, gc, server);
    }

    private static Mono<Void> ready(HttpServerResponse response, GatewayStatistics s,
            Optional<ConnectionProblem> problem) {
        boolean spoolOk = !s.spool().failing();
        boolean up = s.connected() && spoolOk;
        ObjectNode body = JsonNodeFactory.instance.objectNode()
                .put("status", up ? "UP" : "DOWN")
                .put("thingsboard", s.connected() ? "connected" : "not connected");
        // why not, told apart as an operator fixes it: the token, the CA file, the host, the port
        problem.ifPresent(p -> body.put("thingsboardProblem", p.kind().text()).put("check", p.kind().hint())
                .put("detail", p.detail()));
        body.put("spool", spoolOk ? "writing" : "failing");
        s.spool().failure().ifPresent(f -> body.put("spoolProblem", f));
        body.put("metersUp", s.fleet().devicesUp()).put("metersTotal", s.fleet().devicesTotal());
        return text(response, up ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE, "application/json",
                body + "\n");
    }

    private static Mono<Void> text(HttpServerResponse response, HttpResponseStatus status, String type, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        return response.status(status).header("Content-Type", type).header("Content-Length",
                Integer.toString(bytes.length)).sendByteArray(Mono.just(bytes)).then();
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }

    InetSocketAddress address() {
        return (InetSocketAddress) server.address();
    }

    @Override
    public void close() {
        server.disposeNow();
        gc.close();
    }
}
