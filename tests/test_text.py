"""Untrusted text is isolated (no Qt)."""

from __future__ import annotations

from viewer.model.text import FSI, PDI, isolate


def test_plain_text_is_wrapped():
    assert isolate("Binance") == f"{FSI}Binance{PDI}"


def test_override_stays_inside():
    out = isolate("\u202eevil")
    assert out.startswith(FSI) and out.endswith(PDI)
    assert "\u202eevil" in out


def test_stray_closer_cannot_end_the_isolate_early():
    out = isolate(f"a{PDI}\u202eb")
    assert out == f"{FSI}a\u202eb{PDI}"


def test_open_isolates_are_closed_inside():
    out = isolate("\u2067abc")
    assert out == f"{FSI}\u2067abc{PDI}{PDI}"
    depth = 0
    for c in out:
        depth += c in "\u2066\u2067\u2068"
        depth -= c == PDI
        assert depth >= 0
    assert depth == 0
