"""``python -m phasedocs`` runs the CLI."""

from __future__ import annotations

from phasedocs.cli import main

if __name__ == "__main__":
    main()
