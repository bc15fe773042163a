# `make run` starts the app and `make test` runs the tests; both set everything up first.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
XVFB   := xvfb-run -a -s "-screen 0 1920x1080x24"

.PHONY: run test lint system clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check -e '.[test]'
	$(BIN)/python -c "import viewer, pytestqt"
	touch $(STAMP)

system:
	@bash .ci/system-deps

run: system $(STAMP)
	$(BIN)/timeline-viewer

lint: $(STAMP)
	$(BIN)/ruff check viewer tests
	$(BIN)/ruff format --check viewer tests
	$(BIN)/lint-imports

# The GUI tests run twice: on Qt's offscreen platform and on a real X server (Xvfb).
test: system $(STAMP) lint
	QT_QPA_PLATFORM=offscreen $(BIN)/pytest -q
	QT_QPA_PLATFORM=xcb $(XVFB) $(BIN)/pytest -q

clean:
	rm -rf $(VENV) build dist .pytest_cache
