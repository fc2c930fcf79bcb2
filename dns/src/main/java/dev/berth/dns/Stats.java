package dev.berth.dns;

import java.util.concurrent.atomic.LongAdder;

/** Counters of what the resolver did, for tests, benchmarks and the daemon's diagnostics. */
final class Stats {
    final LongAdder queries = new LongAdder();
    final LongAdder local = new LongAdder();
    final LongAdder forwarded = new LongAdder();
    final LongAdder servfail = new LongAdder();
    final LongAdder malformed = new LongAdder();
    final LongAdder overloaded = new LongAdder();
    final LongAdder upstreamTimeouts = new LongAdder();
    final LongAdder strayAnswers = new LongAdder();
    final LongAdder tcpRefetches = new LongAdder();
    final LongAdder tcpClients = new LongAdder();
    final LongAdder tcpRejected = new LongAdder();

    DnsStats snapshot() {
        return new DnsStats(
                queries.sum(),
                local.sum(),
                forwarded.sum(),
                servfail.sum(),
                malformed.sum(),
                overloaded.sum(),
                upstreamTimeouts.sum(),
                strayAnswers.sum(),
                tcpRefetches.sum(),
                tcpClients.sum(),
                tcpRejected.sum());
    }
}
