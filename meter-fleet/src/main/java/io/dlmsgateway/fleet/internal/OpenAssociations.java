package io.dlmsgateway.fleet.internal;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** The associations open right now, so that a shutdown can wait for their release and close what does not answer. */
public final class OpenAssociations {

    private final Set<MeterAssociation> open = ConcurrentHashMap.newKeySet();

    void add(MeterAssociation association) {
        open.add(association);
    }

    void remove(MeterAssociation association) {
        open.remove(association);
    }

    public int size() {
        return open.size();
    }

    /** Completes when every association open now has closed, or after the timeout with the stragglers aborted. */
    public Mono<Void> awaitClosed(Duration timeout) {
        List<MeterAssociation> snapshot = List.copyOf(open);
        return Flux.fromIterable(snapshot)
                .flatMap(MeterAssociation::onClose, Math.max(1, snapshot.size()))
                .then()
                .timeout(timeout, Mono.fromRunnable(() -> List.copyOf(open).forEach(MeterAssociation::abort)));
    }
}
