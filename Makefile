# The two set-up commands of the README:
#   make run    install everything (first time) and open the window
#   make test   install everything (first time) and run the whole test suite headless
# Extra:  make frozen    builds the PyInstaller bundle and runs its self-test.
#         make installers  the Linux .deb and .tar.xz and the stand-in Windows MSI.
#         make test-llm  the real local model tier: llama.cpp's server (built from source
#                        once into build/) with a small real model, driven by tests/llm/.
#         make test-e2e  the end-to-end tier: the real app under Xvfb and openbox, driven by
#                        real key presses and clicks (tests/e2e/).

# Python 3.11, 3.12 or 3.13 (the pins install on each): the first of python3.11,
# python3.12, python3.13 and python3 that runs and is one of them (a version manager's
# shim that cannot run is passed over), else python3 (refused below, saying why).
ifeq ($(origin PYTHON),undefined)
PYTHON := $(shell for p in python3.11 python3.12 python3.13 python3; do \
            $$p -c 'import sys; sys.exit(not (3, 11) <= sys.version_info[:2] <= (3, 13))' \
            >/dev/null 2>&1 && command -v $$p && break; done || true)
endif
ifeq ($(strip $(PYTHON)),)
PYTHON := python3
endif
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test test-llm test-e2e frozen installers check-installers lint bench clean

$(STAMP): requirements.txt requirements-dev.txt packaging/requirements-build.txt
	@$(PYTHON) -c 'import sys; sys.exit(not (3, 11) <= sys.version_info[:2] <= (3, 13))' || { \
	  echo "Account Radar needs Python 3.11, 3.12 or 3.13; '$(PYTHON)' is $$($(PYTHON) --version 2>&1)."; \
	  echo "Install one of them, or run: make PYTHON=/path/to/python3.13 run"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/python main.py

# The suite runs on every core (pytest-xdist), a test file per worker at a time, so that a
# module's own fixtures are built once; it ends with the slowest tests and the time per
# folder. `make test TEST_ARGS=` runs it in one process (see CONTRIBUTING.md).
TEST_ARGS ?= -n auto --dist loadfile --durations=30
test: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest $(TEST_ARGS)

test-llm: $(STAMP)
	$(BIN)/python packaging/llm_tier.py

# The end-to-end tier: the real app under Xvfb and openbox, driven by xdotool (installs
# the X tools it needs when missing). ACCOUNT_RADAR_E2E_APP=dist/AccountRadar/AccountRadar
# runs it against the frozen bundle.
test-e2e: $(STAMP)
	@sh tests/e2e/install-deps.sh
	ACCOUNT_RADAR_E2E=1 $(BIN)/python -m pytest tests/e2e --basetemp=build/e2e-tmp $(E2E_ARGS)

frozen: $(STAMP)
	$(BIN)/python packaging/build.py

# The installers: the Linux .deb and .tar.xz around the bundle `make frozen` builds, and
# the Windows MSI around a small stand-in payload (the real one is built on a Windows
# runner: packaging/windows/). Needs dpkg-deb, xz, wixl and msitools (Debian packages).
installers: frozen
	$(BIN)/python packaging/linux/build_installer.py
	$(BIN)/python packaging/windows/build_msi.py --stand-in
	$(BIN)/python packaging/windows/check_msi.py dist/installers/AccountRadar-*-standin.msi

# Install the Linux installers, self-test the installed app, remove it (CI runs this).
check-installers: $(STAMP)
	$(BIN)/python packaging/linux/check_installer.py

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy models services app views
	$(BIN)/lint-imports

bench: $(STAMP)
	$(BIN)/python bench/bench_window.py

clean:
	rm -rf build dist .pytest_cache .ruff_cache .mypy_cache
