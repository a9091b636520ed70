# The verbs: make demo, make test, make test-faults, make bench, make lint, make install.
SHELL := /bin/bash
PREFIX ?= $(HOME)/.local
BIN_DIR ?= $(PREFIX)/bin
NPM_FLAGS := --no-audit --no-fund --loglevel=error

.PHONY: all deps system-deps build test test-faults lint bench demo install uninstall clean

all: build

# tmux and git are the two programs ao drives; install them from the system's packages when they are missing.
system-deps:
	@missing=""; for tool in tmux git; do command -v $$tool >/dev/null 2>&1 || missing="$$missing $$tool"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		if command -v apt-get >/dev/null 2>&1; then \
			sudo=""; [ "$$(id -u)" = 0 ] || sudo="sudo"; \
			$$sudo apt-get update -qq && $$sudo apt-get install -y -qq $$missing; \
		elif command -v brew >/dev/null 2>&1; then brew install $$missing; \
		else echo "please install:$$missing" >&2; exit 1; fi; \
	fi

node_modules/.installed: package.json package-lock.json
	npm ci $(NPM_FLAGS)
	@touch $@

deps: system-deps node_modules/.installed

build: deps
	npx tsc -p tsconfig.json
	node bin/stamp-build

# The whole suite, fault injection included (ava runs every dist/test/**/*.test.js).
test: build
	npx ava

# Only the fault-injection suite (test/faults), with a summary line per category.
test-faults: build
	node dist/test/faults/run.js

lint: deps
	npx tsc -p tsconfig.json --noEmit
	npx eslint .

bench: build
	node dist/bench/run.js

# Starts the demo agents, then opens the dashboard when this is a terminal (q closes it).
demo: build
	./bin/ao demo
	@if [ -t 0 ] && [ -t 1 ]; then ./bin/ao dashboard; fi

# Puts `ao` on your PATH as a symlink in $(BIN_DIR) (default ~/.local/bin) to this checkout's bin/ao.
install: build
	@mkdir -p "$(BIN_DIR)"
	ln -sf "$(CURDIR)/bin/ao" "$(BIN_DIR)/ao"
	@case ":$$PATH:" in *":$(BIN_DIR):"*) ;; *) echo "note: $(BIN_DIR) is not on your PATH; add it to your shell's profile" ;; esac

uninstall:
	rm -f "$(BIN_DIR)/ao"

clean:
	rm -rf dist
