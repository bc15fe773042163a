"""The timeline model: plain Python, no Qt (an import-linter contract in pyproject.toml keeps it so)."""
