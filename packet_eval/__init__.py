"""packet-eval: read a promotion packet and say which level it reads at, and why."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__all__ = ["evaluate", "evaluate_packet"]

if TYPE_CHECKING:
    from packet_eval.api import evaluate, evaluate_packet


def __getattr__(name: str) -> Any:
    # Lazy, so `import packet_eval` stays cheap for commands that need none of the pipeline.
    if name in __all__:
        from packet_eval import api

        return getattr(api, name)
    raise AttributeError(f"module 'packet_eval' has no attribute {name!r}")
