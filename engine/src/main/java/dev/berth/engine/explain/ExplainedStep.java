package dev.berth.engine.explain;

/**
 * One thing Berth does, as a user of the seeds would do it by hand.
 *
 * @param what    what the step achieves and why, in a sentence
 * @param command the equivalent shell command (ip, bridge, sysctl, nft or iptables), runnable as it is
 */
public record ExplainedStep(String what, String command) {}
