# logdash: the two commands people need are `make run` and `make test`.
.DEFAULT_GOAL := help
.PHONY: help run run-cluster test setup dashboard fmt bench soak fuzz record test-opensearch

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

run: ## build everything and run logdash with demo traffic (prints the URL)
	scripts/run.sh

run-cluster: ## the same in proxy mode, in front of a real 3-node Elasticsearch on loopback
	scripts/run-cluster.sh

test: ## run every test (formatting, lints, unit, end-to-end in headless Chromium)
	scripts/test.sh

bench: ## dashboard size, ingest and query benchmarks (1M events; see BENCHMARKS.md)
	scripts/bench.sh

soak: ## ten minutes of ingest, dashboards and live tails at once (make soak SOAK_MINUTES=60 for longer)
	scripts/soak.sh $(or $(SOAK_MINUTES),10)

fuzz: ## run each fuzz target for a minute (make fuzz FUZZ_SECONDS=600 for longer)
	scripts/fuzz.sh $(or $(FUZZ_SECONDS),60)

record: ## re-record tests/scenarios' expected answers from a real Elasticsearch
	scripts/record.sh

test-opensearch: ## the scenarios and the proxy's refusals in front of a real OpenSearch 2.19
	scripts/test-opensearch.sh

setup: ## install the build tools (skips what is there)
	scripts/setup.sh

dashboard: ## build the dashboard into dist/
	scripts/build-dashboard.sh

fmt: ## format the code
	cargo fmt --all
