package dev.berth.runtime;

/**
 * A process to start in a running container.
 *
 * @param execId          Docker's exec id (containerd's exec id; unique within the container)
 * @param processSpecJson the OCI process ({@code dev.berth.runtime.oci.OciSpec#processJson})
 * @param tty             the process gets a pseudo-terminal (its output is all stdout)
 * @param stdin           the process's stdin is a pipe fed through {@link ExecSession#stdin()}; else /dev/null
 */
public record ExecRequest(String execId, String processSpecJson, boolean tty, boolean stdin) {}
