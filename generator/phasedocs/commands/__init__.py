"""The verbs that are more than a call: init, record, schema (the CLI is a thin layer over these)."""
