"""The report's charts as inline SVG: no scripts, no fonts or files from outside, print-safe.

Every chart has a fixed viewBox and scales to the width of the page. Charts never carry statement
text (only its letter), so long, right-to-left or CJK statements cannot break their layout.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

from consensus_desktop.palette import CANDIDATE_COLORS, agreement_rgb, hex_color
from consensus_desktop.report.data import Distribution, Statement, Stretch
from consensus_desktop.welfare.group_metrics import Agreement
from consensus_desktop.welfare.tradeoff import t_from_alpha
from consensus_desktop.welfare.utilities import LIKERT_LABELS

WIDTH = 640
FONT = 'font-family="DejaVu Sans, Helvetica, Arial, sans-serif" font-size="13"'
INK, MUTED, GRID = "#222222", "#666666", "#cccccc"


def _svg(height: float, body: list[str], title: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height:.0f}" '
        f'width="100%" role="img" aria-label="{escape(title)}" {FONT} fill="{INK}">'
        f"<title>{escape(title)}</title>" + "".join(body) + "</svg>"
    )


def _text(x: float, y: float, s: str, anchor: str = "start", **attrs: str) -> str:
    extra = "".join(f' {k.replace("_", "-")}="{v}"' for k, v in attrs.items())
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}"{extra}>{escape(s)}</text>'


def _rect(x: float, y: float, w: float, h: float, fill: str, **attrs: str) -> str:
    extra = "".join(f' {k.replace("_", "-")}="{v}"' for k, v in attrs.items())
    return (
        f'<rect x="{x:.1f}" y="{y:.1f}" width="{max(w, 0):.1f}" height="{max(h, 0):.1f}" '
        f'fill="{fill}"{extra}/>'
    )


def _short(label: str, limit: int = 22) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def rating_distribution(before: Distribution, after: Distribution) -> str:
    """Counts of each rating 1–7: the position statement (before) beside the final statement."""
    top, bottom, left = 46.0, 58.0, 34.0
    plot_h = 170.0
    height = top + plot_h + bottom
    slot = (WIDTH - left - 8) / 7
    peak = max(1, *before.counts, *after.counts)
    body = [_text(left, 16, "Number of participants giving each rating", fill=MUTED)]
    for k in range(peak + 1):
        if peak > 8 and k % math.ceil(peak / 8):
            continue
        y = top + plot_h - plot_h * k / peak
        body.append(
            f'<line x1="{left}" x2="{WIDTH - 8}" y1="{y:.1f}" y2="{y:.1f}" stroke="{GRID}"/>'
        )
        body.append(_text(left - 6, y + 4, str(k), "end", fill=MUTED))
    series = [(before, "#9a9a9a", "position statement (before)"), (after, "", "final statement")]
    bar_w = slot * 0.36
    for r in range(7):
        x0 = left + r * slot + slot * 0.12
        for s, (dist, color, _) in enumerate(series):
            c = dist.counts[r]
            h = plot_h * c / peak
            x = x0 + s * bar_w
            fill = color or hex_color(agreement_rgb(r + 1))
            body.append(
                _rect(x, top + plot_h - h, bar_w - 2, h, fill, stroke=INK, stroke_width="0.8")
            )
            if c:
                body.append(_text(x + bar_w / 2 - 1, top + plot_h - h - 4, str(c), "middle"))
        body.append(_text(left + (r + 0.5) * slot, top + plot_h + 16, str(r + 1), "middle"))
    body.append(_text(left, top + plot_h + 32, f"1 {LIKERT_LABELS[0].lower()}", fill=MUTED))
    body.append(
        _text(WIDTH - 8, top + plot_h + 32, f"7 {LIKERT_LABELS[6].lower()}", "end", fill=MUTED)
    )
    x = left
    for dist, color, name in series:
        body.append(_rect(x, height - 16, 12, 12, color or hex_color(agreement_rgb(6)), stroke=INK))
        body.append(_text(x + 18, height - 6, f"{name}: {dist.n} rated"))
        x += 300
    return _svg(height, body, "Ratings of the position statement and of the final statement")


def agreement_before_after(before: Agreement, after: Agreement) -> str:
    """Agree / neutral / disagree shares, and group internal agreement, before and after."""
    rows = [("Position statement (before)", before), ("Final statement (after)", after)]
    left, right, bar_h = 200.0, 110.0, 30.0
    height = 28 + len(rows) * (bar_h + 16) + 26
    span = WIDTH - left - right
    body = [
        _text(0, 16, "Share who disagree, are neutral, agree", fill=MUTED),
        _text(WIDTH, 16, "agreement*", "end", fill=MUTED),
    ]
    for i, (name, a) in enumerate(rows):
        y = 28 + i * (bar_h + 16)
        body.append(_text(left - 8, y + bar_h / 2 + 5, name, "end"))
        total = a.n_agree + a.n_disagree + a.n_neutral
        if total == 0:
            body.append(_rect(left, y, span, bar_h, "#eeeeee", stroke=GRID))
            body.append(
                _text(left + span / 2, y + bar_h / 2 + 5, "no ratings yet", "middle", fill=MUTED)
            )
        else:
            x = left
            parts = [
                (a.n_disagree, 2, "disagree"),
                (a.n_neutral, 4, "neutral"),
                (a.n_agree, 6, "agree"),
            ]
            for n, shade, word in parts:
                w = span * n / total
                body.append(
                    _rect(
                        x,
                        y,
                        w,
                        bar_h,
                        hex_color(agreement_rgb(shade)),
                        stroke=INK,
                        stroke_width="0.8",
                    )
                )
                label = f"{n} {word}" if w > 8 * len(f"{n} {word}") + 8 else str(n)
                if n and w > 8 * len(label) + 2:
                    body.append(_text(x + w / 2, y + bar_h / 2 + 5, label, "middle"))
                x += w
        gia = "–" if math.isnan(a.gia) else f"{a.gia:.2f}"
        body.append(_text(WIDTH, y + bar_h / 2 + 6, gia, "end", font_size="17", font_weight="bold"))
    body.append(
        _text(
            0,
            height - 6,
            "*group internal agreement: 1 = all on one side, 0 = evenly split "
            "(neutral ratings left out)",
            fill=MUTED,
            font_size="11",
        )
    )
    return _svg(height, body, "Group agreement before and after")


def ratings_heatmap(participants: Sequence[str], statements: Sequence[Statement]) -> str:
    """Participants x shortlist: each cell is that person's real rating (grey: not rated)."""
    widest = max((len(_short(p)) for p in participants), default=0)
    left = min(190.0, 16 + 7.6 * max(widest, 6))
    top, cell_h = 46.0, 22.0
    n_c = max(len(statements), 1)
    cell_w = min(90.0, (WIDTH - left - 4) / n_c)
    height = top + cell_h * (len(participants) + 2) + 20
    body = [_text(0, 16, "Each participant's rating of each shortlisted statement", fill=MUTED)]
    for j, s in enumerate(statements):
        x = left + j * cell_w
        head = s.label + (" (chosen)" if s.chosen else "")
        body.append(
            _text(
                x + cell_w / 2,
                top - 8,
                head,
                "middle",
                font_weight="bold" if s.chosen else "normal",
            )
        )
    for i, name in enumerate(participants):
        y = top + i * cell_h
        body.append(_text(left - 8, y + cell_h / 2 + 5, _short(name), "end"))
        for j, s in enumerate(statements):
            v = s.ratings[i]
            x = left + j * cell_w
            body.append(_rect(x + 1, y + 1, cell_w - 2, cell_h - 2, hex_color(agreement_rgb(v))))
            body.append(
                _text(
                    x + cell_w / 2,
                    y + cell_h / 2 + 5,
                    f"{v:.0f}" if math.isfinite(v) else "–",
                    "middle",
                )
            )
    for k, (name, key) in enumerate((("mean", "mean"), ("lowest", "min"))):
        y = top + (len(participants) + k) * cell_h + 4
        body.append(_text(left - 8, y + cell_h / 2 + 5, name, "end", font_style="italic"))
        for j, s in enumerate(statements):
            v = getattr(s.rated, key)
            text = "–" if math.isnan(v) else f"{v:.2f}" if key == "mean" else f"{v:.0f}"
            body.append(
                _text(
                    left + (j + 0.5) * cell_w,
                    y + cell_h / 2 + 5,
                    text,
                    "middle",
                    font_weight="bold",
                )
            )
    for j, s in enumerate(statements):
        if s.chosen:
            body.append(
                _rect(
                    left + j * cell_w,
                    top,
                    cell_w,
                    cell_h * len(participants),
                    "none",
                    stroke=INK,
                    stroke_width="2.5",
                )
            )
    body.append(
        _text(
            0,
            height - 4,
            "1 strongly disagree … 4 neutral … 7 strongly agree; – not rated",
            fill=MUTED,
            font_size="11",
        )
    )
    return _svg(height, body, "Ratings of the shortlist by each participant")


def _ink_on(color: str) -> str:
    r, g, b = (int(color[i : i + 2], 16) for i in (1, 3, 5))
    return INK if 0.299 * r + 0.587 * g + 0.114 * b > 150 else "#ffffff"


def winner_strip(
    stretches: Sequence[Stretch], chosen_alpha: float | None, labels: Sequence[str]
) -> str:
    """Which statement wins as the weight on the worst-off grows (utilitarian to Rawlsian)."""
    top, bar_h, left, right = 26.0, 34.0, 10.0, 10.0
    span = WIDTH - left - right
    height = top + bar_h + 44
    color = {lab: CANDIDATE_COLORS[k % len(CANDIDATE_COLORS)] for k, lab in enumerate(labels)}
    body = [_text(left, 16, "Winning statement for each choice of α", fill=MUTED)]
    for s in stretches:
        x0 = left + span * t_from_alpha(s.alpha_from)
        x1 = left + span * t_from_alpha(s.alpha_to)
        fill = color.get(s.label, "#888888")
        body.append(
            _rect(x0, top, max(x1 - x0, 1.5), bar_h, fill, stroke="#ffffff", stroke_width="1")
        )
        if x1 - x0 > 16:
            body.append(
                _text(
                    (x0 + x1) / 2,
                    top + bar_h / 2 + 6,
                    s.label,
                    "middle",
                    fill=_ink_on(fill),
                    font_weight="bold",
                    font_size="15",
                )
            )
    for alpha, name, anchor in (
        (0.0, "α = 0 utilitarian (mean)", "start"),
        (1.0, "α = 1 Nash", "middle"),
        (math.inf, "α = ∞ Rawlsian (lowest)", "end"),
    ):
        x = left + span * t_from_alpha(alpha)
        body.append(
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top + bar_h}" y2="{top + bar_h + 6}" stroke="{INK}"/>'
        )
        body.append(_text(x, top + bar_h + 20, name, anchor))
    if chosen_alpha is not None:
        x = left + span * t_from_alpha(chosen_alpha)
        body.append(
            f'<path d="M{x - 7:.1f},{top - 9} L{x + 7:.1f},{top - 9} L{x:.1f},{top - 1} Z" fill="{INK}"/>'
        )
        body.append(
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top}" y2="{top + bar_h}" stroke="{INK}" stroke-width="3"/>'
        )
        a = "∞" if math.isinf(chosen_alpha) else f"{chosen_alpha:g}"
        anchor = "start" if x < WIDTH / 4 else "end" if x > WIDTH * 3 / 4 else "middle"
        body.append(
            _text(
                x,
                height - 4,
                f"▲ the facilitator's choice, α = {a}",
                anchor,
                fill=MUTED,
                font_size="11",
            )
        )
    return _svg(height, body, "Winning statement as alpha moves from utilitarian to Rawlsian")
