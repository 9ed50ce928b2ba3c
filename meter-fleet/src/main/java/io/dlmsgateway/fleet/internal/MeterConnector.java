package io.dlmsgateway.fleet.internal;

import reactor.core.publisher.Mono;

/** Opens associations with one meter. The session decides when; the connector only knows how. */
@FunctionalInterface
public interface MeterConnector {

    /** Connects and associates; fails with a reason a technician can act on. */
    Mono<MeterAssociation> associate();
}
