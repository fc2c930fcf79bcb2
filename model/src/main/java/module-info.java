/** What every Berth module shares: errors, ids, addresses and subnets, sandboxes and endpoints, topologies, the log. */
module dev.berth.model {
    requires java.logging;

    exports dev.berth.model;
    exports dev.berth.model.log;
    exports dev.berth.model.topology;
}
