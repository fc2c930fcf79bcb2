package dev.berth.cli.cmd;

import picocli.CommandLine;

/** What a command reads of the command line it runs in: the process's streams, the -H daemon, picocli's tree. */
public interface CommandRoot {
    Io io();

    /** The daemon address given with -H, or null. */
    String host();

    CommandLine commandLine();
}
