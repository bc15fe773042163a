"""The timeline model: plain Python, no Qt (an import-linter contract keeps it so)."""
