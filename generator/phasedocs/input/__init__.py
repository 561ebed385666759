"""Stage 1, what users write: read, parse and check every input file, collecting all errors."""
