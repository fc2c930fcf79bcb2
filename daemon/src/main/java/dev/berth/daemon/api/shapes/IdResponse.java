package dev.berth.daemon.api.shapes;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Docker's IDResponse ({@code POST /containers/{id}/exec}). */
public record IdResponse(@JsonProperty("Id") String id) {}
