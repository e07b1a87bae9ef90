"""Where the bundled criteria and model live, in a checkout or in an installed wheel."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _bundled(name: str) -> Path:
    checkout = _PACKAGE.parent / name
    if checkout.is_dir():
        return checkout
    return _PACKAGE / "_data" / name


def default_criteria_dir() -> Path:
    """Return the directory of the default ladder and criteria."""
    return _bundled("criteria")


def default_model_dir() -> Path:
    """Return the directory of the shipped model."""
    return _bundled("models")
