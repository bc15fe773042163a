# `make run` starts the app and `make test` runs the tests; both set everything up first.
# `make package` builds the packaged app in dist/ (see README).
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
XVFB   := xvfb-run -a -s "-screen 0 1920x1080x24"
# PyInstaller needs a venv with exactly one Qt binding, so the package has a venv of its own.
PKG_VENV  ?= .venv-package
PKG_STAMP := $(PKG_VENV)/.installed

.PHONY: run test lint system package icons shortcuts gallery bench bench-startup clean

# After the system step: on a stock Debian, python3 -m venv needs python3-venv.
$(STAMP): pyproject.toml | system
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check -e '.[test]'
	$(BIN)/python -c "import viewer, pytestqt"
	touch $(STAMP)

system:
	@bash .ci/system-deps

run: system $(STAMP)
	$(BIN)/timeline-viewer

lint: $(STAMP)
	$(BIN)/ruff check viewer tests release benchmarks
	$(BIN)/ruff format --check viewer tests release benchmarks
	$(BIN)/lint-imports

# The GUI tests run twice: on Qt's offscreen platform and on a real X server (Xvfb).
# With TIMELINE_VIEWER_FROZEN naming a built app and TIMELINE_VIEWER_DEB the .deb (CI sets them
# after `make package`), the first run also tests the packaged app and the .deb; those tests
# start their own X server, so once is enough.
test: system $(STAMP) lint
	QT_QPA_PLATFORM=offscreen $(BIN)/pytest -q
	env -u TIMELINE_VIEWER_FROZEN -u TIMELINE_VIEWER_DEB QT_QPA_PLATFORM=xcb $(XVFB) $(BIN)/pytest -q

$(PKG_STAMP): pyproject.toml | system
	$(PYTHON) -m venv $(PKG_VENV)
	$(PKG_VENV)/bin/pip install -q --disable-pip-version-check '.[package]'
	touch $(PKG_STAMP)

# dist/timeline-viewer/timeline-viewer, dist/timeline-viewer-<version>-linux-<arch>.tar.gz and
# dist/timeline-viewer_<version>_<arch>.deb
package: system $(PKG_STAMP)
	$(PKG_VENV)/bin/python release/package.py

# Rendering at 1,000 to 1,000,000 events (see benchmarks/bench_render.py); prints a table and
# writes benchmarks/results.json.
bench: system $(STAMP)
	$(BIN)/python -m benchmarks.bench_render

# Startup to first paint (median of 10, from source and packaged) and the package's sizes.
bench-startup: system $(STAMP)
	$(XVFB) $(BIN)/python benchmarks/startup.py --runs 10

# Redraw every icon size from resources/icons/timeline-viewer.svg.
icons: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python release/make_icons.py

# Rewrite README.md's table of keyboard shortcuts from the window's actions.
shortcuts: $(STAMP)
	QT_QPA_PLATFORM=offscreen PYTHONPATH=. $(BIN)/python release/shortcuts_table.py

# Redraw docs/gallery/ (the built-in timeline at several zooms and sizes) with the app itself.
gallery: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python release/make_gallery.py

clean:
	rm -rf $(VENV) $(PKG_VENV) build dist .pytest_cache
