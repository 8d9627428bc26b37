"""Small charts as inline SVG: drawn on the server, no script, readable without colour."""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

WIDTH, HEIGHT, PAD = 360, 140, 18


def bars(points: Sequence[tuple[str, float]], title: str, label: str = "{:g}") -> Markup:
    """A bar per point (label, value), the value written above it; ``title`` for screen readers."""
    if not points:
        return Markup("")
    top = max(v for _, v in points) or 1.0
    step = (WIDTH - 2 * PAD) / len(points)
    body = []
    for n, (name, value) in enumerate(points):
        h = (HEIGHT - 2 * PAD - 10) * value / top
        x = PAD + n * step + step * 0.15
        y = HEIGHT - PAD - h
        body.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{step * 0.7:.1f}" height="{h:.1f}" class="bar-fill"><title>{escape(name)}: {escape(label.format(value))}</title></rect>'
            f'<text x="{x + step * 0.35:.1f}" y="{y - 3:.1f}" text-anchor="middle" font-size="10">{escape(label.format(value))}</text>'
            f'<text x="{x + step * 0.35:.1f}" y="{HEIGHT - 4}" text-anchor="middle" font-size="10">{escape(name)}</text>'
        )
    return Markup(
        f'<svg class="chart" role="img" aria-label="{escape(title)}" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="{WIDTH}" height="{HEIGHT}" xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>'
        + "".join(body) + "</svg>"
    )
