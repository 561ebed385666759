"""The dependency graph's one walker, as the facts use it (it lives in :mod:`phasedocs.input.graph`,
where validation walks the same graph)."""

from __future__ import annotations

from phasedocs.input.graph import topological

__all__ = ["topological"]
