"""Stage 4, the only code that writes: atomic files, the manifest, and the caches."""
