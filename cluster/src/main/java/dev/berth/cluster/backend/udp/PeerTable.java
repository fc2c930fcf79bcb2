package dev.berth.cluster.backend.udp;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeMap;

/**
 * Which peer's public address owns a destination IP, read by the sending threads for every packet
 * without locks or allocation: an immutable snapshot of open-addressing hash tables, one per subnet
 * length (one in etcd mode, where every lease has SubnetLen), replaced whole when a peer changes.
 */
final class PeerTable {
    private record Level(int mask, int[] keys, int[] values) {}

    private volatile Level[] levels = new Level[0];

    /** Replaces the table with {@code subnets[i]/prefixes[i] -> peers[i]}. */
    void set(int[] subnets, int[] prefixes, int[] peers) {
        TreeMap<Integer, List<Integer>> byLen = new TreeMap<>(Comparator.reverseOrder());
        for (int i = 0; i < subnets.length; i++)
            byLen.computeIfAbsent(prefixes[i], k -> new ArrayList<>()).add(i);
        Level[] out = new Level[byLen.size()];
        int li = 0;
        for (var e : byLen.entrySet()) {
            int mask = e.getKey() == 0 ? 0 : -1 << (32 - e.getKey());
            int cap = Integer.highestOneBit(Math.max(4, e.getValue().size() * 4 - 1)) << 1;
            int[] keys = new int[cap], values = new int[cap];
            for (int i : e.getValue()) {
                int slot = mix(subnets[i] & mask) & (cap - 1);
                while (values[slot] != 0 && keys[slot] != (subnets[i] & mask)) slot = (slot + 1) & (cap - 1);
                keys[slot] = subnets[i] & mask;
                values[slot] = peers[i];
            }
            out[li++] = new Level(mask, keys, values);
        }
        levels = out;
    }

    /** The public IPv4 of the peer whose subnet holds {@code dst}, or 0 when none does. Longest prefix first. */
    int lookup(int dst) {
        Level[] ls = levels;
        for (Level l : ls) {
            int key = dst & l.mask;
            int cap = l.keys.length;
            int slot = mix(key) & (cap - 1);
            while (true) {
                int v = l.values[slot];
                if (v == 0) break;
                if (l.keys[slot] == key) return v;
                slot = (slot + 1) & (cap - 1);
            }
        }
        return 0;
    }

    private static int mix(int x) {
        x *= 0x9E3779B9;
        return x ^ (x >>> 16);
    }
}
