"""Stage 3, facts to markdown and JSON in memory: the sandboxed templates, their filters and views."""
