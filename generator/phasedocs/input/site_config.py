"""site_config/site.yaml: site title, URL, palette, chart style and documents to publish."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any, Literal

from phasedocs.documents import PHASE_DOCUMENTS
from phasedocs.errors import InputError, Location, ValidationErrors
from phasedocs.input.loader import load_yaml
from phasedocs.input.messages import parse_model
from phasedocs.input.models import Url
from phasedocs.input.records import Check, Model, Range

#: matplotlib's named colours (CSS4 and Tableau), checked here so validation needs no matplotlib.
NAMED_COLORS = frozenset(
    {
        "aliceblue",
        "antiquewhite",
        "aqua",
        "aquamarine",
        "azure",
        "beige",
        "bisque",
        "black",
        "blanchedalmond",
        "blue",
        "blueviolet",
        "brown",
        "burlywood",
        "cadetblue",
        "chartreuse",
        "chocolate",
        "coral",
        "cornflowerblue",
        "cornsilk",
        "crimson",
        "cyan",
        "darkblue",
        "darkcyan",
        "darkgoldenrod",
        "darkgray",
        "darkgreen",
        "darkgrey",
        "darkkhaki",
        "darkmagenta",
        "darkolivegreen",
        "darkorange",
        "darkorchid",
        "darkred",
        "darksalmon",
        "darkseagreen",
        "darkslateblue",
        "darkslategray",
        "darkslategrey",
        "darkturquoise",
        "darkviolet",
        "deeppink",
        "deepskyblue",
        "dimgray",
        "dimgrey",
        "dodgerblue",
        "firebrick",
        "floralwhite",
        "forestgreen",
        "fuchsia",
        "gainsboro",
        "ghostwhite",
        "gold",
        "goldenrod",
        "gray",
        "green",
        "greenyellow",
        "grey",
        "honeydew",
        "hotpink",
        "indianred",
        "indigo",
        "ivory",
        "khaki",
        "lavender",
        "lavenderblush",
        "lawngreen",
        "lemonchiffon",
        "lightblue",
        "lightcoral",
        "lightcyan",
        "lightgoldenrodyellow",
        "lightgray",
        "lightgreen",
        "lightgrey",
        "lightpink",
        "lightsalmon",
        "lightseagreen",
        "lightskyblue",
        "lightslategray",
        "lightslategrey",
        "lightsteelblue",
        "lightyellow",
        "lime",
        "limegreen",
        "linen",
        "magenta",
        "maroon",
        "mediumaquamarine",
        "mediumblue",
        "mediumorchid",
        "mediumpurple",
        "mediumseagreen",
        "mediumslateblue",
        "mediumspringgreen",
        "mediumturquoise",
        "mediumvioletred",
        "midnightblue",
        "mintcream",
        "mistyrose",
        "moccasin",
        "navajowhite",
        "navy",
        "oldlace",
        "olive",
        "olivedrab",
        "orange",
        "orangered",
        "orchid",
        "palegoldenrod",
        "palegreen",
        "paleturquoise",
        "palevioletred",
        "papayawhip",
        "peachpuff",
        "peru",
        "pink",
        "plum",
        "powderblue",
        "purple",
        "rebeccapurple",
        "red",
        "rosybrown",
        "royalblue",
        "saddlebrown",
        "salmon",
        "sandybrown",
        "seagreen",
        "seashell",
        "sienna",
        "silver",
        "skyblue",
        "slateblue",
        "slategray",
        "slategrey",
        "snow",
        "springgreen",
        "steelblue",
        "tan",
        "teal",
        "thistle",
        "tomato",
        "turquoise",
        "violet",
        "wheat",
        "white",
        "whitesmoke",
        "yellow",
        "yellowgreen",
        "tab:blue",
        "tab:brown",
        "tab:cyan",
        "tab:gray",
        "tab:green",
        "tab:olive",
        "tab:orange",
        "tab:pink",
        "tab:purple",
        "tab:red",
    }
)
_HEX_RE = re.compile(r"#(?:[0-9a-fA-F]{3,4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})", re.ASCII)


def _color(value: str) -> str:
    if _HEX_RE.fullmatch(value) or value.lower() in NAMED_COLORS:
        return value
    raise ValueError(f"{value!r} is not a colour; write '#rrggbb' or a name such as 'steelblue' or 'tab:blue'")


Color = Annotated[str, Check(_color)]
"""A chart colour: '#rgb', '#rrggbb' (with optional alpha) or a matplotlib colour name."""

PrimaryColor = Literal[
    "red",
    "pink",
    "purple",
    "deep purple",
    "indigo",
    "blue",
    "light blue",
    "cyan",
    "teal",
    "green",
    "light green",
    "lime",
    "yellow",
    "amber",
    "orange",
    "deep orange",
    "brown",
    "grey",
    "blue grey",
    "black",
    "white",
    "custom",
]
"""A Material primary colour name."""
AccentColor = Literal[
    "red",
    "pink",
    "purple",
    "deep purple",
    "indigo",
    "blue",
    "light blue",
    "cyan",
    "teal",
    "green",
    "light green",
    "lime",
    "yellow",
    "amber",
    "orange",
    "deep orange",
    "custom",
]
"""A Material accent colour name."""

PUBLISHABLE = (*PHASE_DOCUMENTS, "tasks")
"""What site.yaml's ``documents`` may name: each phase document, and 'tasks' for the task files."""


class ChartColors(Model):
    """Colours of chart elements (any matplotlib colour).

    The defaults keep at least 3:1 contrast against both of Material's backgrounds, white
    and the dark slate (#1e2029): the charts are transparent and shown in either scheme.
    """

    task: Color = "#6a7bd1"
    """Bars of tasks off the critical path."""
    critical: Color = "#e53935"
    """Bars of critical tasks."""
    slack: Color = "#7986cb"
    """Slack after a task."""
    done: Color = "#388e3c"
    """Completed tasks and phases."""
    met: Color = "#388e3c"
    """Criteria met."""
    exceeded: Color = "#1e88e5"
    """Criteria exceeded."""
    missed: Color = "#e53935"
    """Criteria missed."""
    pending: Color = "#878787"
    """Criteria pending."""
    target: Color = "#e8710a"
    """Target lines and bands."""
    baseline: Color = "#878787"
    """Baseline bars."""
    current: Color = "#6a7bd1"
    """Current values."""
    today: Color = "#e8710a"
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
    text_color: Color = "#7f7f7f"
    """Text and axis colour: mid grey reads on light and dark backgrounds."""
    colors: ChartColors = ChartColors()
    """Element colours."""


class Palette(Model):
    """MkDocs Material palette colours."""

    primary: PrimaryColor = "indigo"
    """Primary colour name."""
    accent: AccentColor = "deep orange"
    """Accent colour name."""


class SiteConfig(Model):
    """site_config/site.yaml."""

    site_name: str | None = None
    """Site title; default: the project name."""
    site_description: str | None = None
    """Meta description; default: the project summary."""
    site_url: Url | None = None
    """Where the site is published (for canonical links and the sitemap)."""
    repo_url: Url | None = None
    """Repository for edit and source links; default: project.yaml's repo_url."""
    repo_widget: bool = False
    """Show Material's live repository facts (stars, forks), fetched from the forge's API on every page view."""
    documents: tuple[str, ...] = PUBLISHABLE
    """Which per-phase documents the site publishes ('tasks' for the task files)."""
    palette: Palette = Palette()
    """Material palette."""
    charts: ChartStyle = ChartStyle()
    """Chart style."""


FILE = "site_config/site.yaml"


def check_site_config(project_dir: Path) -> tuple[SiteConfig | None, list[InputError]]:
    """The project's site_config/site.yaml (the defaults when there is none) and its faults."""
    from phasedocs.paths import leaves

    path = project_dir / FILE
    if not path.is_file():
        return SiteConfig(), []
    problem = leaves(project_dir, path)
    if problem:
        return None, [InputError(Location(FILE), "", problem)]
    try:
        doc = load_yaml(path, FILE)
    except InputError as exc:
        return None, [exc]
    if doc.data is None:
        return SiteConfig(), []
    config, errors = parse_model(doc, SiteConfig)
    for i, name in enumerate(config.documents if config else ()):
        if name not in PUBLISHABLE:
            errors.append(doc.error(("documents", i), f"unknown document '{name}' (known: {', '.join(PUBLISHABLE)})"))
    if config is not None:
        errors += _conflicts(project_dir, doc, config)
    return (None if errors else config), errors


#: Settings both files may hold; the site engine reads mkdocs.yml's, so two values would
#: silently leave site.yaml's unused.
SHARED = ("site_name", "site_url", "repo_url")


def _conflicts(project_dir: Path, doc: Any, config: SiteConfig) -> list[InputError]:
    """A setting of site.yaml that mkdocs.yml also sets, to another value: name both, as only one can win."""
    from phasedocs.input import mkdocs_yml
    from phasedocs.paths import leaves

    path = project_dir / "mkdocs.yml"
    if not path.is_file() or leaves(project_dir, path):
        return []
    try:
        mkdocs = mkdocs_yml.settings(path)
    except (mkdocs_yml.NotSettings, OSError):
        return []  # MkDocs reports its own file's faults
    errors = []
    for key in SHARED:
        ours, theirs = getattr(config, key), mkdocs.get(key)
        if ours is not None and theirs is not None and str(theirs) != ours:
            errors.append(
                doc.error(
                    (key,),
                    f"is {ours!r} here but {str(theirs)!r} in mkdocs.yml, which the site uses; "
                    f"set {key} in one of the two files only",
                )
            )
    return errors


def load_site_config(project_dir: Path) -> SiteConfig:
    """The project's site_config/site.yaml, or the defaults; :class:`ValidationErrors` on faults."""
    config, errors = check_site_config(project_dir)
    if errors or config is None:
        raise ValidationErrors(errors)
    return config
