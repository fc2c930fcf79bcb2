package dev.berth.runtime;
public record ExecRequest(String execId, String processSpecJson, boolean tty, boolean stdin) {}
