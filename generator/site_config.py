"""site_config/site.yaml: site title, URL, palette, chart style and documents to publish."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from .errors import ValidationErrors
from .loader import load_yaml
from .render import PHASE_DOCUMENTS
from .shape import Model, Range
from .validate import parse_model

PUBLISHABLE = (*PHASE_DOCUMENTS, "tasks")
"""What site.yaml's ``documents`` may name: each phase document, and 'tasks' for the task files."""


class ChartColors(Model):
    """Colours of chart elements (any matplotlib colour)."""

    task: str = "#3f51b5"
    """Bars of tasks off the critical path."""
    critical: str = "#e53935"
    """Bars of critical tasks."""
    slack: str = "#9fa8da"
    """Slack after a task."""
    done: str = "#43a047"
    """Completed tasks and phases."""
    met: str = "#43a047"
    """Criteria met."""
    exceeded: str = "#1e88e5"
    """Criteria exceeded."""
    missed: str = "#e53935"
    """Criteria missed."""
    pending: str = "#9e9e9e"
    """Criteria pending."""
    target: str = "#fb8c00"
    """Target lines and bands."""
    baseline: str = "#9e9e9e"
    """Baseline bars."""
    current: str = "#3f51b5"
    """Current values."""
    today: str = "#fb8c00"
    """The 'latest snapshot' marker."""


class ChartStyle(Model):
    """Size, font and colours of every chart."""

    width: Annotated[float, Range(gt=1, le=30)] = 8.0
    """Width in inches."""
    height: Annotated[float, Range(gt=1, le=30)] = 4.0
    """Height in inches (per row of small multiples)."""
    font_family: str = "DejaVu Sans"
    """Font family (DejaVu Sans ships with matplotlib)."""
    font_size: Annotated[float, Range(gt=4, le=30)] = 10
    """Base font size in points."""
    text_color: str = "#7f7f7f"
    """Text and axis colour: mid grey reads on light and dark backgrounds."""
    colors: ChartColors = ChartColors()
    """Element colours."""


class Palette(Model):
    """MkDocs Material palette colours."""

    primary: str = "indigo"
    """Primary colour name."""
    accent: str = "deep orange"
    """Accent colour name."""


class SiteConfig(Model):
    """site_config/site.yaml."""

    site_name: str | None = None
    """Site title; default: the project name."""
    site_description: str | None = None
    """Meta description; default: the project summary."""
    site_url: str | None = None
    """Where the site is published (for canonical links and the sitemap)."""
    repo_url: str | None = None
    """Repository for edit and source links; default: project.yaml's repo_url."""
    documents: tuple[str, ...] = PUBLISHABLE
    """Which per-phase documents the site publishes ('tasks' for the task files)."""
    palette: Palette = Palette()
    """Material palette."""
    charts: ChartStyle = ChartStyle()
    """Chart style."""


def load_site_config(project_dir: Path) -> SiteConfig:
    """The project's site_config/site.yaml, or the defaults when there is none."""
    path = project_dir / "site_config" / "site.yaml"
    if not path.is_file():
        return SiteConfig()
    doc = load_yaml(path, "site_config/site.yaml")
    if doc.data is None:
        return SiteConfig()
    config, errors = parse_model(doc, SiteConfig)
    for i, name in enumerate(config.documents if config else ()):
        if name not in PUBLISHABLE:
            errors.append(doc.error(("documents", i), f"unknown document '{name}' (known: {', '.join(PUBLISHABLE)})"))
    if errors:
        raise ValidationErrors(errors)
    return config
