"""The report as one self-contained HTML page: no scripts, no network, prints on A4 and Letter.

The markup keeps to what both a browser and Qt's rich text (used for the PDF) understand: headings,
paragraphs, tables, block quotes. Charts go through ``embed``: inline SVG in a browser, images the
PDF writer registers in Qt.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from html import escape

from consensus_desktop.report import charts
from consensus_desktop.report.data import QuestionReport, Round, SessionReport, Statement
from consensus_desktop.welfare.group_metrics import Agreement

REWARD_FIELDS = (
    "method",
    "base_model",
    "base_model_sha256",
    "head_file",
    "head_sha256",
    "validation",
)
Embed = Callable[[str, str], str]  # (svg, description) -> markup


@dataclass(frozen=True)
class Flavour:
    """What differs between a browser and Qt's rich text: how charts and unbreakable blocks are
    written (Qt ignores break-inside, but never splits a table row that fits on a page)."""

    embed: Embed
    keep_open: str = '<div class="keep">'
    keep_close: str = "</div>"


CSS = """
@page { margin: 15mm 14mm; }
html { background: #ffffff; }
body { font-family: "DejaVu Sans", "Noto Sans", "Noto Sans CJK SC", Helvetica, Arial, sans-serif;
  font-size: 10.5pt; line-height: 1.4; color: #222222; max-width: 180mm; margin: 0 auto; }
@media screen { body { margin: 24px auto; padding: 0 16px; } }
h1 { font-size: 20pt; margin: 0 0 4pt 0; }
h2 { font-size: 15pt; margin: 14pt 0 6pt 0; border-bottom: 1px solid #999999; }
h3 { font-size: 12pt; margin: 12pt 0 4pt 0; }
p { margin: 4pt 0; }
.meta, .note { color: #555555; font-size: 9pt; }
.question-text { font-size: 14pt; font-weight: bold; }
.statement { font-size: 19pt; line-height: 1.3; font-weight: bold; margin: 6pt 0 10pt 0;
  padding: 8pt 12pt; border-left: 6px solid #54a24b; background: #f3f8f1; }
.statement.long { font-size: 14pt; }
.question + .question { break-before: page; page-break-before: always; }
h2, h3 { break-after: avoid; page-break-after: avoid; }
.keep { break-inside: avoid; page-break-inside: avoid; }
.figure { break-inside: avoid; page-break-inside: avoid; margin: 8pt 0 10pt 0; }
.figure svg, .figure img { display: block; width: 100%; height: auto; }
table { border-collapse: collapse; width: 100%; margin: 4pt 0 8pt 0; }
th, td { border: 1px solid #bbbbbb; padding-top: 3px; padding-bottom: 3px; padding-left: 6px;
  padding-right: 6px; vertical-align: top; text-align: left; }
th { background: #eeeeee; font-weight: bold; }
tr { break-inside: avoid; page-break-inside: avoid; }
td.num, th.num { text-align: right; white-space: nowrap; }
.pred { color: #555555; font-style: italic; }
table.statements td.num { width: 8%; }
.figures td, td.box { border: none; padding-left: 0; padding-right: 12px; }
td.box { padding: 0; }
.big { font-size: 16pt; font-weight: bold; }
.hash { font-family: "DejaVu Sans Mono", monospace; font-size: 8pt; overflow-wrap: anywhere; }
.user-text, .statement, .question-text, td { overflow-wrap: anywhere; word-break: normal; }
"""


LONG_STATEMENT = 280  # characters; a longer final statement is set smaller to stay on one page
TABLE = 'width="100%" cellspacing="0" cellpadding="4"'


def inline_svg(svg: str, description: str) -> str:
    return svg


BROWSER = Flavour(inline_svg)


def _n(x: float, digits: int = 2) -> str:
    return "–" if math.isnan(x) else f"{x:.{digits}f}"


def _t(text: str, cls: str = "user-text", tag: str = "p") -> str:
    return f'<{tag} class="{cls}" dir="auto">{escape(text)}</{tag}>'


def _alpha(a: float | None) -> str:
    if a is None:
        return "–"
    return "∞" if math.isinf(a) else f"{a:g}"


def _gia(a: Agreement) -> str:
    return f"{_n(a.gia)} ({a.n_agree} agree, {a.n_disagree} disagree, {a.n_neutral} neutral)"


def render_html(report: SessionReport, flavour: Flavour = BROWSER) -> str:
    n_people = len(report.participants)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape('Session report: ' + report.title)}</title>",
        f"<style>{CSS}</style></head><body>",
        f'<h1 dir="auto">{escape("Session report: " + report.title)}</h1>',
        f'<p class="meta">{n_people} participants · {len(report.questions)} question'
        f"{'s' if len(report.questions) != 1 else ''} · session started "
        f"{escape(report.created_at[:16].replace('T', ' '))} UTC, last change "
        f"{escape(report.updated_at[:16].replace('T', ' '))} UTC · report made "
        f"{escape(report.generated_at[:16].replace('T', ' '))} UTC with Consensus Desktop "
        f"{escape(report.app_version)}</p>",
        '<p class="statement long">A rehearsal with example participants, not a real session.</p>'
        if report.rehearsal
        else "",
        _privacy(report),
        _method(),
    ]
    for q in report.questions:
        parts.append(_question(report, q, flavour))
    parts.append(_provenance(report, flavour))
    parts.append("</body></html>")
    return "\n".join(parts)


def _privacy(report: SessionReport) -> str:
    o = report.options
    if o.with_opinions:
        who = "anonymised ids" if o.anonymise else "their pseudonyms"
        text = f"This report shows participants' opinions and critiques, with participants named by {who}."
    elif o.anonymise:
        text = "Participants are named by the ids of the anonymised export; opinions are not shown."
    else:
        text = "Participants are numbered P1, P2, …; names and opinions are not shown."
    listing = ""
    if o.anonymise or o.with_opinions:
        listing = " Participants: " + ", ".join(escape(p) for p in report.participants) + "."
    return f'<p class="meta" dir="auto">{escape(text)}{listing}</p>'


def _method() -> str:
    return (
        '<p class="note">How the statement was found: each participant rated the position '
        "statement and wrote their opinion privately; a language model running on this laptop "
        "read the question and the opinions and wrote candidate statements; a reward model "
        "predicted how much each participant would agree with each; the room rated a shortlist "
        "(1 strongly disagree … 7 strongly agree), and the facilitator chose by a social welfare "
        "rule whose weight α runs from the mean agreement (α = 0, utilitarian) through the "
        "geometric mean (α = 1, Nash) to the agreement of the worst-off participant "
        "(α = ∞, Rawlsian).</p>"
    )


def _question(report: SessionReport, q: QuestionReport, f: Flavour) -> str:
    total = len(report.questions)
    out = [
        '<div class="question">',
        f"<h2>Question {q.number}" + (f" of {total}" if total > 1 else "") + "</h2>",
        _t(q.text, "question-text"),
    ]
    if q.position_statement:
        out.append('<p class="meta">Position statement rated before discussion:</p>')
        out.append(_t(q.position_statement))
    out.append("<h3>The statement the room reached</h3>")
    if q.final_statement is None:
        out.append('<p class="note">No statement has been chosen for this question yet.</p>')
    else:
        size = "statement long" if len(q.final_statement) > LONG_STATEMENT else "statement"
        out.append(
            f'<blockquote class="{size}" dir="auto">{escape(q.final_statement)}</blockquote>'
        )
        if q.final_original:
            out.append(
                '<p class="note" dir="auto">Reworded by the facilitator. The model wrote: '
                f"“{escape(q.final_original)}”</p>"
            )
    out.append(_key_figures(report, q))
    if q.final.n or q.baseline.n:
        out.append(_figure(f, charts.rating_distribution(q.baseline, q.final), "Ratings"))
        out.append(_figure(f, charts.agreement_before_after(q.before, q.after), "Agreement"))
    for r in q.rounds:
        out.append(_round(report, q, r, f))
    if not q.rounds:
        out.append('<p class="note">No candidate statements have been generated yet.</p>')
    if q.opinions:
        out.append(_people_said(f, "<h3>Opinions</h3>", "Opinion", q.opinions))
    out.append("</div>")
    return "\n".join(out)


def _key_figures(report: SessionReport, q: QuestionReport) -> str:
    n = q.n_present
    if not q.final.n:
        rated = "Nobody has rated the final statement yet."
        return f'<p class="note">{rated}</p>' + (
            f"<p>Position statement: mean {_n(q.baseline.mean)} from {q.baseline.n} ratings; "
            f"group internal agreement {_gia(q.before)}.</p>"
            if q.baseline.n
            else ""
        )
    return (
        f'<table class="figures" {TABLE}><tr>'
        f'<td>Rated by<br><span class="big">{q.final.n} of {n}</span></td>'
        f'<td>Mean rating<br><span class="big">{_n(q.final.mean)}</span></td>'
        f'<td>Lowest rating<br><span class="big">{_n(q.final.min, 0)}</span></td>'
        f'<td>Group internal agreement<br><span class="big">{_n(q.before.gia)} → {_n(q.after.gia)}</span></td>'
        "</tr></table>"
        f'<p class="note">Group internal agreement (1 = everyone on one side, 0 = evenly split) '
        f"on the position statement: {_gia(q.before)}; on the final statement: {_gia(q.after)}. "
        f"Ratings run from 1 (strongly disagree) to 7 (strongly agree).</p>"
    )


def _figure(f: Flavour, svg: str, description: str) -> str:
    return f'<div class="figure">{f.embed(svg, description)}</div>'


def _round(report: SessionReport, q: QuestionReport, r: Round, f: Flavour) -> str:
    multi = len(q.rounds) > 1
    heading = (
        "Round "
        + str(r.number)
        + (" (revised after the critique round)" if r.kind == "revision" else "")
    )
    out = [f.keep_open, f"<h3>{escape(heading) if multi else 'The shortlist'}</h3>"]
    if multi:
        out.append("<p><b>The shortlist</b></p>")
    out.append(
        f'<p class="note">The model wrote {r.n_written} candidate statements'
        + (f" (the facilitator reworded {r.n_reworded})" if r.n_reworded else "")
        + (
            f"; the room rated {len(r.shortlist)} of them."
            if r.has_ratings
            else f"; nobody has rated them yet, so the {len(r.shortlist)} below are those the "
            "model predicted would be agreed with most."
        )
        + "</p>"
    )
    out.append(_statements_table(r))
    reward = r.reward
    if reward:
        out.append(
            "<p class=\"note\">Predicted agreement is the reward model's guess, not anyone's "
            f"rating: {escape(str(reward.get('method', '')))} on "
            f"{escape(str(reward.get('base_model', '')))}. "
            f"{escape(str(reward.get('validation', '')))}.</p>"
        )
    out.append(f.keep_close)
    if r.has_ratings:
        out.append(
            _figure(
                f,
                charts.ratings_heatmap(r.participants, r.shortlist),
                "Ratings by participant",
            )
        )
    if r.choice is not None:
        c = r.choice
        out.append(f.keep_open + "<p><b>How the statement was chosen</b></p>")
        who = f", chosen by {escape(c.chosen_by)}" if c.chosen_by else ""
        out.append(
            f"<p>Welfare weight α = {_alpha(c.alpha)} ({escape(c.method)}{who}); computed on "
            f"{escape(c.basis)}.</p>"
        )
        out.append(
            f"<table {TABLE}><tr><th>Welfare rule</th><th>α</th><th>Winning statement</th></tr>"
        )
        for name, a, label in c.winners:
            out.append(
                f"<tr><td>{escape(name)}</td><td class='num'>{_alpha(a)}</td><td>{escape(label)}</td></tr>"
            )
        out.append("</table>")
        labels = [s.label for s in r.statements]
        out.append(_figure(f, charts.winner_strip(c.stretches, c.alpha, labels), "Winner by alpha"))
        out.append(f.keep_close)
    if r.schulze:
        order = " > ".join(" = ".join(g) for g in r.schulze)
        out.append(
            f"<p><b>The room's ranking</b> ({r.n_rankings} participants ranked the shortlist; "
            f"Schulze method, best first): {escape(order)}</p>"
        )
    if r.n_critiques:
        chosen = r.chosen.label if r.chosen else "?"
        then = " (next round)." if r.number < len(q.rounds) else "."
        intro = (
            f"<p><b>Critique round</b>: {r.n_critiques} participants critiqued statement "
            f"{escape(chosen)}; the model then revised it{then}</p>"
        )
        out.append(_people_said(f, intro, "Critique", r.critiques) if r.critiques else intro)
    return "\n".join(out)


def _people_said(f: Flavour, intro: str, what: str, rows: tuple[tuple[str, str], ...]) -> str:
    """A table of what each participant wrote, kept on one page with its heading if it fits."""
    out = [
        f.keep_open,
        intro,
        f"<table {TABLE}><thead><tr><th>Participant</th><th>{what}</th></tr></thead><tbody>",
    ]
    for who, text in rows:
        out.append(f'<tr><td dir="auto">{escape(who)}</td><td dir="auto">{escape(text)}</td></tr>')
    out += ["</tbody></table>", f.keep_close]
    return "\n".join(out)


def _statements_table(r: Round) -> str:
    head = (
        f'<table class="statements" {TABLE}><thead><tr><th rowspan="2"></th><th rowspan="2">Statement</th>'
        '<th colspan="3">The room\'s ratings</th><th colspan="2" class="pred">Predicted</th></tr>'
        '<tr><th class="num">mean</th><th class="num">lowest</th><th class="num">rated by</th>'
        '<th class="num pred">mean</th><th class="num pred">lowest</th></tr></thead><tbody>'
    )
    rows = [head, *(_statement_row(s) for s in r.statements), "</tbody></table>"]
    return "\n".join(rows)


def _statement_row(s: Statement) -> str:
    d = s.rated
    tags = []
    if s.chosen:
        tags.append("chosen")
    if s.from_round:
        tags.append(f"round {s.from_round}'s choice, kept in the running with its ratings")
    elif not s.on_shortlist:
        tags.append("not on the shortlist; wins at some α")
    if s.original:
        tags.append(f"reworded by the facilitator; the model wrote: “{s.original}”")
    tag = f" <i>({escape(', '.join(tags))})</i>" if tags else ""
    weight = "<b>" if s.chosen else ""
    end = "</b>" if s.chosen else ""
    return (
        f"<tr><td>{weight}{escape(s.label)}{end}</td>"
        f'<td dir="auto">{weight}{escape(s.text)}{end}{tag}</td>'
        f'<td class="num">{_n(d.mean)}</td><td class="num">{_n(d.min, 0)}</td>'
        f'<td class="num">{d.n}</td>'
        f'<td class="num pred">{_n(s.predicted_mean)}</td><td class="num pred">{_n(s.predicted_min)}</td></tr>'
    )


def _provenance(report: SessionReport, f: Flavour) -> str:
    runs = [(q.number, r.number, p) for q in report.questions for r in q.rounds for p in r.runs]
    models = dict.fromkeys((p.model_file, p.model_sha256, p.backend) for _, _, p in runs)
    rewards = dict.fromkeys(
        tuple(str(p.reward.get(k) or "") for k in REWARD_FIELDS) for _, _, p in runs if p.reward
    )
    out = [
        f.keep_open,
        "<h2>Method and provenance</h2>",
        f"<p>Made with Consensus Desktop {escape(report.app_version)} on "
        f"{escape(report.generated_at)}; session started {escape(report.created_at)}.</p>",
    ]
    for file, sha, backend in models:
        out.append(
            f"<p>Language model: {escape(file)} ({escape(backend)}), sha256 "
            f'<span class="hash">{escape(sha)}</span></p>'
        )
    for method, base, sha, head, head_sha, validation in rewards:
        head_text = (
            f', head {escape(head)} (sha256 <span class="hash">{escape(head_sha)}</span>)'
            if head
            else ""
        )
        out.append(
            f"<p>Reward model (predicted agreement): {escape(method)} on {escape(base)}, sha256 "
            f'<span class="hash">{escape(sha)}</span>{head_text}. {escape(validation)}.</p>'
        )
    if runs:
        out.append(
            f"<table {TABLE}><thead><tr><th>Question</th><th>Round</th><th>Generated (UTC)</th>"
            '<th>Prompt version</th><th class="num">Statements</th><th class="num">Seconds</th>'
            '<th class="num">Ranked at</th></tr></thead><tbody>'
        )
        seen: set[tuple[int, int]] = set()
        for number, round_, p in runs:
            kind = "regenerated" if (number, round_) in seen else p.kind
            seen.add((number, round_))
            out.append(
                f"<tr><td>{number}</td><td>{round_} ({escape(kind)})</td>"
                f"<td>{escape(p.created_at[:19].replace('T', ' '))}</td><td>{escape(p.prompt_version)}</td>"
                f'<td class="num">{p.n_found} of {p.n_requested}</td><td class="num">{p.seconds:.1f}</td>'
                f'<td class="num">{_alpha(p.alpha)}</td></tr>'
            )
        out.append("</tbody></table>")
    out.append(f.keep_close)
    return "\n".join(out)
