package dev.berth.demo;

/** A namespace of the demo: its short name in the printed commands ({@code milk}) and its real one ({@code blab-3fa2c1-milk}). */
record Ns(String label, String netns) {}
