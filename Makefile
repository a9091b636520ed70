# The verbs: make demo, make test, make test-faults, make bench, make lint, make install.
SHELL := /bin/bash
PREFIX ?= $(HOME)/.local
BIN_DIR ?= $(PREFIX)/bin
MAN_DIR ?= $(PREFIX)/share/man
NPM_FLAGS := --no-audit --no-fund --loglevel=error

.PHONY: all deps system-deps build test test-faults lint bench demo install uninstall clean

all: build

# tmux and git are the two programs ao drives; the suite also runs a real sshd (openssh-server) and ssh-agent,
# ssh-keygen and ssh (openssh-client). Each is installed from the system's packages when it is missing.
SYSTEM_TOOLS := tmux:tmux git:git /usr/sbin/sshd:openssh-server ssh-agent:openssh-client

system-deps:
	@missing=""; for pair in $(SYSTEM_TOOLS); do tool=$${pair%%:*}; package=$${pair#*:}; \
		if [ "$${tool#/}" != "$$tool" ]; then [ -x "$$tool" ] && continue; else command -v $$tool >/dev/null 2>&1 && continue; fi; \
		case " $$missing " in *" $$package "*) ;; *) missing="$$missing $$package" ;; esac; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		if command -v apt-get >/dev/null 2>&1; then \
			sudo=""; [ "$$(id -u)" = 0 ] || sudo="sudo"; \
			$$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq $$missing; \
		elif command -v brew >/dev/null 2>&1; then brew install $$(echo $$missing | sed 's/openssh-server//; s/openssh-client/openssh/'); \
		else echo "please install:$$missing" >&2; exit 1; fi; \
	fi

node_modules/.installed: package.json package-lock.json
	npm ci $(NPM_FLAGS)
	@touch $@

deps: system-deps node_modules/.installed

build: deps
	npx tsc -p tsconfig.json
	@# bin/ao runs one bundle (each command a chunk loaded when it runs; the guard hook, which runs before every
	@# shell command of every agent, an entry of its own); tsc above type-checks and builds what the tests import.
	rm -rf dist/src/bundle
	npx esbuild dist/src/cli/main.js dist/src/core/guard/hook.js --bundle --platform=node --format=esm --splitting --packages=external --entry-names=[name] --outdir=dist/src/bundle --log-level=warning
	node bin/make-man
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
	@mkdir -p "$(BIN_DIR)" "$(MAN_DIR)/man1"
	ln -sf "$(CURDIR)/bin/ao" "$(BIN_DIR)/ao"
	ln -sf "$(CURDIR)/dist/man/ao.1" "$(MAN_DIR)/man1/ao.1"
	@case ":$$PATH:" in *":$(BIN_DIR):"*) ;; *) echo "note: $(BIN_DIR) is not on your PATH; add it to your shell's profile" ;; esac

uninstall:
	rm -f "$(BIN_DIR)/ao" "$(MAN_DIR)/man1/ao.1"

clean:
	rm -rf dist
