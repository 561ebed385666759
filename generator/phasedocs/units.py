"""The unit a phase's documents speak in: days, or hours for a phase of hours.

Facts are kept in days of work on the project's calendar (final-metrics.json says days, as
before). A phase whose tasks are written in minutes or hours and that lasts at most
:data:`HOURS_UP_TO` days of work is shown in hours ("4 h", "12.5 h late"); every other phase
in days ("2.4 days"). One :class:`Span` is chosen per phase and every template filter and
chart label of that phase formats its times through it, so a document never mixes the two.
"""

from __future__ import annotations

from dataclasses import dataclass

from phasedocs.formats import num

#: The longest phase (in days of work) shown in hours: past it, days read better.
HOURS_UP_TO = 5.0


@dataclass(frozen=True)
class Span:
    """Formats amounts and offsets of time, given as days of work, in the phase's unit."""

    hours_per_day: float | None = None
    """Hours in a day of work when the phase speaks in hours; None: it speaks in days."""

    @property
    def hours(self) -> bool:
        """True for a phase shown in hours."""
        return self.hours_per_day is not None

    def value(self, days: float) -> float | int:
        """``days`` in the unit, rounded to two places (whole numbers without '.0')."""
        return num(days * self.hours_per_day if self.hours_per_day is not None else days, 2)

    def amount(self, days: float) -> str:
        """``2.4 days``, ``1 day``; ``12.5 h`` in a phase of hours."""
        n = self.value(days)
        if self.hours:
            return f"{n} h"
        return f"{n} day" if n == 1 else f"{n} days"

    def number(self, days: float) -> str:
        """``days`` in the unit as a number without noise: 12, 17.13, 1,234."""
        n = self.value(days)
        return f"{n:,}" if isinstance(n, int) else f"{n:,.2f}".rstrip("0").rstrip(".")

    def at(self, days: float) -> str:
        """An offset from the phase start: ``day 2.4``, ``hour 4.5``."""
        return f"{'hour' if self.hours else 'day'} {self.number(days)}"

    def between(self, start: float, finish: float) -> str:
        """A planned span: ``day 0 to 2.4``, ``hour 4 to 6.5``; a moment (a milestone): ``hour 5.5``."""
        if self.value(start) == self.value(finish):
            return self.at(start)
        return f"{self.at(start)} to {self.number(finish)}"


def choose(written_in_hours: bool, total_days: float, hours_per_day: float) -> Span:
    """The span of a phase: hours when its durations are written in minutes or hours and it lasts at
    most :data:`HOURS_UP_TO` days of work, else days."""
    if written_in_hours and total_days <= HOURS_UP_TO:
        return Span(hours_per_day)
    return Span()


#: The span of every phase written in days: today's documents, unchanged.
DAYS = Span()
