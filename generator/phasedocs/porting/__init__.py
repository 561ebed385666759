"""Bring a hand-written phase package into phasedocs (``phasedocs import``).

Three steps, each a module: :mod:`.scan` reads every markdown and JSON file of the
package into *claims* (a value with the file and line it came from), :mod:`.reconcile`
decides each field of the new project from its claims and records every disagreement,
and :mod:`.report` writes ``IMPORT-REPORT.md``: what was taken from where and why, what
could not be mapped, and what the computed schedule says against the hand-written one.
Nothing is guessed silently: every choice between two sources is in the report.
"""
