package dev.berth.engine.model;

/**
 * A parent link Berth created for macvlan/ipvlan networks, an 802.1q sub-interface ({@code eth0.20})
 * or a dummy ({@code dm-<12 hex>}). Berth deletes it when the last network on it goes, and never
 * deletes a parent it did not create (those have no record).
 *
 * @param kind   "vlan" or "dummy"
 * @param lower  the link a VLAN sub-interface sits on, else null
 * @param vlanId the 802.1q VLAN id, else 0
 */
public record ParentLink(String name, String kind, String lower, int vlanId) {}
