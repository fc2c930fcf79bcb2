# Berth: the two set-up commands (`make demo`, `make test`) install what they need on a fresh Debian machine.
MVN := scripts/mvn
SETUP := scripts/setup.sh

.PHONY: build install test demo bench bench-engine bench-dns bench-cluster bench-cli bench-api bench-cni bench-soak setup clean

setup:
	@$(SETUP)

## Build everything without running tests.
build: setup
	$(MVN) -q install -DskipTests
	scripts/cli-launcher
	scripts/cni-plugin

## Puts bin/berth on PATH (/usr/local/bin) and its bash completion in /etc/bash_completion.d.
install: build
	ln -sf $(CURDIR)/bin/berth /usr/local/bin/berth
	if [ -d /etc/bash_completion.d ]; then bin/berth completion bash > /etc/bash_completion.d/berth; fi

## Run the whole test suite (needs root: tests build labs of network namespaces); prints the counts, fails on a skipped test.
test: setup
	scripts/test.sh

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

## Embedded DNS vs aardvark-dns: dnsperf qps, one-query latency, memory under a flood.
bench-dns: build
	scripts/bench-dns.sh

## Multi-host data plane (host-gw, vxlan, udp vs plain routing, kernel VXLAN, socat) and lease-to-route time.
bench-cluster: build
	scripts/bench-cluster.sh

## CLI start time: bin/berth network ls against a canned daemon (or $$BERTH_HOST), median and p90.
bench-cli: build
	scripts/bench-cli.sh

## Engine API latency and CLI start: berthd vs Docker's dockerd in lab namespaces (installs docker.io, no service starts).
bench-api: build
	scripts/bench-api.sh

## CNI plugin ADD/DEL latency: bin/cni/berth + berthd vs the bridge + portmap plugins (installs containernetworking-plugins).
bench-cni: build
	scripts/bench-cni.sh

## Soak: 10,000 container lifecycles and connect/disconnect pairs through berthd's API; counts, memory, p50 at every 1,000.
bench-soak: setup
	scripts/bench-soak.sh $(SOAK_ARGS)

clean:
	$(MVN) -q clean
