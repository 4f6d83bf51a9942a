# PlanGraph: the two commands a newcomer needs are `make app` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: app test test-fast setup browser neo4j-start neo4j-stop bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

## Run the explorer on the bundled Changde plan (embedded store, no server needed).
app: $(STAMP)
	$(BIN)/plangraph app

## Debian packages the tests need: headless Chromium (no browser download from elsewhere) and CJK fonts (screenshots, PDF fixtures).
browser:
	@(test -x /usr/bin/chromium && fc-list :lang=zh | grep -qi microhei) || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk fonts-wqy-microhei >/dev/null)

neo4j-start: $(STAMP)
	$(BIN)/plangraph neo4j start

neo4j-stop: $(STAMP)
	$(BIN)/plangraph neo4j stop

## Every test: unit, extraction scores, both stores (starts a real Neo4j unless NEO4J_URI is set), the browser.
test: $(STAMP) browser
	@if [ -z "$$NEO4J_URI" ]; then $(BIN)/plangraph neo4j start || exit 1; fi; \
	PLANGRAPH_REQUIRE_NEO4J=1 $(BIN)/python -m pytest $(PYTEST_ARGS); rc=$$?; \
	if [ -z "$$NEO4J_URI" ]; then $(BIN)/plangraph neo4j stop; fi; exit $$rc

## The quick loop while coding: every test that needs no Neo4j server and no browser (no root, no Java)
## and does not live through whole processes (mark `slow`: wheel, notebook kernel, killed and signalled
## processes), spread over the machine's cores (the full run stays in one process: its Neo4j tests share
## one database).
test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "not neo4j and not browser and not slow" -n auto --dist worksteal $(PYTEST_ARGS)

bench: $(STAMP)
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) neo4j-server/target .neo4j test-output
