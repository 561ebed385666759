"""phasedocs: phase coordination documents as a pure function of data."""

from __future__ import annotations

__version__ = "0.1.0"
