# Berth: the two set-up commands (`make demo`, `make test`) install what they need on a fresh Debian machine.
MVN := scripts/mvn
SETUP := scripts/setup.sh

.PHONY: build install uninstall package test test-vm demo bench bench-engine bench-connect bench-dns bench-cluster bench-scale bench-cli bench-api bench-footprint bench-cni test-docker-driver bench-soak test-crash setup clean

# Where make install puts Berth (GNU conventions): PREFIX/bin/berthd and berth, PREFIX/lib/berth (runtime, jars),
# PREFIX/lib/systemd/system/berthd.service and berthd.socket, SYSCONFDIR/berth/berthd.json; DESTDIR stages the tree elsewhere.
PREFIX ?= /usr/local
SYSCONFDIR ?= /etc
LOCALSTATEDIR ?= /var
DESTDIR ?=
# make install builds first; BUILD= installs what the last build left (the install test in make test does).
BUILD ?= build
INSTALL_VARS = PREFIX="$(PREFIX)" SYSCONFDIR="$(SYSCONFDIR)" LOCALSTATEDIR="$(LOCALSTATEDIR)" DESTDIR="$(DESTDIR)"

setup:
	@$(SETUP)

## Build everything without running tests; leaves bin/berthd and bin/berth ready (JVM flags, AOT caches).
build: setup
	$(MVN) -q package -DskipTests
	scripts/berthd-launcher
	scripts/cli-launcher
	scripts/cni-plugin

## Installs berthd and berth with a jlink'd Java runtime, berthd.service and berthd.socket, /etc/berth/berthd.json, bash
## completion, the group berth (scripts/install.sh; PREFIX, DESTDIR, SYSCONFDIR, LOCALSTATEDIR honoured).
install: $(BUILD)
	$(INSTALL_VARS) scripts/install.sh install

## Removes what make install put there (a changed /etc/berth/berthd.json is kept).
uninstall:
	$(INSTALL_VARS) scripts/install.sh uninstall

## The Debian package berth_<version>_amd64.deb in target/ (needs no JDK where it is installed).
package: build
	scripts/package-deb.sh

## Installs the package in the QEMU VM (Debian's stock kernel) and drives its berthd with the docker CLI.
test-vm: package
	scripts/vm/test-package.sh

## kill -9 of berthd at every step of docker run/start/stop/rm and network connect/disconnect (DaemonCrashEveryStepIT, ~20 min).
test-crash: setup
	$(MVN) -q -pl daemon -am verify -Dtest='DaemonCrashEveryStepIT' -Dsurefire.failIfNoSpecifiedTests=false

## Run the whole test suite (needs root: tests build labs of network namespaces); prints the counts, fails on a skipped test.
test: setup
	scripts/test.sh

## Berth as Docker's remote network driver, with Docker's own dockerd in a lab (installs docker.io, no service starts).
test-docker-driver: setup
	scripts/test-docker-driver.sh

## Berth's main job in an isolated lab.
demo: build
	scripts/demo.sh

## Benchmarks (endpoint creation vs ip -batch and one ip per step).
bench: build
	scripts/bench.sh

## Engine connect latency vs netavark and the CNI bridge plugin (installs them from Debian).
bench-engine: build
	scripts/setup.sh netavark containernetworking-plugins
	scripts/bench-engine.sh

## API connect/disconnect through berthd (persistent client) vs netavark setup/teardown, serial and 200 at once, per-stage breakdown.
bench-connect: build
	scripts/setup.sh netavark
	scripts/bench-api.sh --connect $(CONNECT_ARGS)

## Embedded DNS vs aardvark-dns: dnsperf qps, one-query latency, memory under a flood.
bench-dns: build
	scripts/bench-dns.sh

## Multi-host data plane (host-gw, vxlan, udp vs plain routing, kernel VXLAN, socat) and lease-to-route time.
bench-cluster: build
	scripts/bench-cluster.sh

## Scale: 1000 user networks (create p50 #1 vs #1000, nftables rule count) and 10,000 published ports (publish p50, DNAT rate).
bench-scale: build
	scripts/bench-scale.sh

## CLI start time: bin/berth network ls against a canned daemon (or $$BERTH_HOST), median and p90.
bench-cli: build
	scripts/bench-cli.sh

## Engine API latency and CLI start: berthd vs Docker's dockerd in lab namespaces (installs docker.io, no service starts).
bench-api: build
	scripts/bench-api.sh

## Footprint: berthd's spawn-to-first-/_ping and RSS (idle, 50 containers) beside dockerd + containerd; JVM flags' costs.
bench-footprint: build
	scripts/bench-api.sh --footprint

## CNI plugin ADD/DEL latency: bin/cni/berth + berthd vs the bridge + portmap plugins (installs containernetworking-plugins).
bench-cni: build
	scripts/bench-cni.sh

## Soak: 10,000 container lifecycles and connect/disconnect pairs through berthd's API; counts, memory, p50 at every 1,000.
bench-soak: setup
	scripts/bench-soak.sh $(SOAK_ARGS)

clean:
	$(MVN) -q clean
