package dev.berth.dns;

/**
 * What the resolver has done since it started.
 *
 * @param queries          queries received from sandboxes (UDP and TCP)
 * @param local            answered from the name table
 * @param forwarded        sent upstream
 * @param servfail         answered SERVFAIL because no upstream answered
 * @param malformed        packets that were not a DNS query Berth could read
 * @param overloaded       refused because too many forwards were in flight
 * @param upstreamTimeouts upstream attempts that timed out
 * @param strayAnswers     upstream packets matching no query in flight (late, spoofed, or mangled)
 * @param tcpRefetches     truncated upstream answers fetched again over TCP
 * @param tcpClients       TCP connections served
 * @param tcpRejected      TCP connections closed because the limit was reached
 */
public record DnsStats(
        long queries,
        long local,
        long forwarded,
        long servfail,
        long malformed,
        long overloaded,
        long upstreamTimeouts,
        long strayAnswers,
        long tcpRefetches,
        long tcpClients,
        long tcpRejected) {}
