"""Stage 3, facts to SVG: chart specs as frozen data, and drawing them with matplotlib."""
