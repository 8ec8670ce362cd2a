"""Light and dark themes: background colours, and the dark variant of a Graphviz SVG.

Mermaid has its own dark theme. Graphviz has none, and the DOT text fixes its colours,
so the dark variant of a Graphviz SVG maps every colour it holds: the lightness is
turned over (white becomes :data:`DARK_BACKGROUND`, black becomes :data:`DARK_FOREGROUND`)
while hue and saturation stay, so a pale green state stays green, only dark.
"""

from __future__ import annotations

import colorsys
import re

THEMES = ("light", "dark")

LIGHT_BACKGROUND = "#ffffff"
DARK_BACKGROUND = "#1f1f1f"
DARK_FOREGROUND = "#e6e6e6"

_L_BG = 0x1F / 255  # lightness white maps to
_L_FG = 0xE6 / 255  # lightness black maps to

# CSS colour keywords Graphviz writes by name (it writes other colours as #rrggbb).
_NAMED = {
    "black": "#000000",
    "white": "#ffffff",
    "gray": "#808080",
    "grey": "#808080",
    "darkgray": "#a9a9a9",
    "darkgrey": "#a9a9a9",
    "lightgray": "#d3d3d3",
    "lightgrey": "#d3d3d3",
    "dimgray": "#696969",
    "dimgrey": "#696969",
    "silver": "#c0c0c0",
    "gainsboro": "#dcdcdc",
    "whitesmoke": "#f5f5f5",
    "red": "#ff0000",
    "firebrick": "#b22222",
    "darkred": "#8b0000",
    "crimson": "#dc143c",
    "orange": "#ffa500",
    "darkorange": "#ff8c00",
    "gold": "#ffd700",
    "yellow": "#ffff00",
    "lightyellow": "#ffffe0",
    "green": "#008000",
    "darkgreen": "#006400",
    "forestgreen": "#228b22",
    "seagreen": "#2e8b57",
    "lightgreen": "#90ee90",
    "blue": "#0000ff",
    "navy": "#000080",
    "darkblue": "#00008b",
    "steelblue": "#4682b4",
    "royalblue": "#4169e1",
    "lightblue": "#add8e6",
    "purple": "#800080",
    "brown": "#a52a2a",
    "pink": "#ffc0cb",
}


def check_theme(theme: str) -> str:
    if theme not in THEMES:
        raise ValueError(f"unknown theme {theme!r}: use 'light' or 'dark'")
    return theme


def background(theme: str) -> str:
    return DARK_BACKGROUND if check_theme(theme) == "dark" else LIGHT_BACKGROUND


def darken(color: str) -> str:
    """The dark-theme counterpart of a CSS colour (``#rgb``, ``#rrggbb``, a keyword);
    ``none``, ``transparent`` and unknown values come back unchanged."""
    c = color.strip().lower()
    c = _NAMED.get(c, c)
    m = re.fullmatch(r"#([0-9a-f]{3}|[0-9a-f]{6})([0-9a-f]{2})?", c)
    if not m:
        return color
    hexpart = m.group(1)
    if len(hexpart) == 3:
        hexpart = "".join(ch * 2 for ch in hexpart)
    r, g, b = (int(hexpart[i : i + 2], 16) / 255 for i in (0, 2, 4))
    h, lightness, s = colorsys.rgb_to_hls(r, g, b)
    new_l = _L_BG + (_L_FG - _L_BG) * (1.0 - lightness)
    r, g, b = colorsys.hls_to_rgb(h, new_l, s)
    out = "#" + "".join(f"{round(v * 255):02x}" for v in (r, g, b))
    return out + (m.group(2) or "")


_COLOR_ATTR = re.compile(r'\b(fill|stroke|stop-color|flood-color)="([^"]*)"')


def darken_graphviz_svg(svg: str) -> str:
    """The dark variant of an SVG written by Graphviz: every colour attribute mapped by
    :func:`darken`, and text without a colour drawn in :data:`DARK_FOREGROUND`."""
    svg = _COLOR_ATTR.sub(lambda m: f'{m.group(1)}="{darken(m.group(2))}"', svg)
    # Graphviz leaves the fill of black text out; the top group gives the default.
    return svg.replace(
        '<g id="graph0" class="graph"', f'<g id="graph0" class="graph" fill="{DARK_FOREGROUND}"', 1
    )
