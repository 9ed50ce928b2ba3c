package io.dlmsgateway.fleet.internal;

import io.dlmsgateway.fleet.PushStatistics;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/** The push listener's counters, updated from every event loop without locks. */
public final class PushCounters {

    private final AtomicLong open = new AtomicLong();
    private final LongAdder accepted = new LongAdder();
    private final LongAdder refused = new LongAdder();
    final LongAdder notifications = new LongAdder();
    final LongAdder unknownSenders = new LongAdder();
    final LongAdder undecodable = new LongAdder();
    final LongAdder replayed = new LongAdder();
    final LongAdder oversize = new LongAdder();
    final LongAdder idleClosed = new LongAdder();
    private final LongAdder bytes = new LongAdder();

    /** Counts one more connection open unless {@code max} are open already; false then. */
    public boolean tryOpen(int max) {
        for (long now = open.get(); now < max; now = open.get()) {
            if (open.compareAndSet(now, now + 1)) {
                return true;
            }
        }
        return false;
    }

    public void closed() {
        open.decrementAndGet();
    }

    public void acceptedOne() {
        accepted.increment();
    }

    public void refusedOne() {
        refused.increment();
    }

    public void bytesRead(long n) {
        bytes.add(n);
    }

    public PushStatistics snapshot() {
        return new PushStatistics(open.get(), accepted.sum(), refused.sum(), notifications.sum(),
                unknownSenders.sum(), undecodable.sum(), oversize.sum(), idleClosed.sum(), bytes.sum(),
                replayed.sum());
    }
}
