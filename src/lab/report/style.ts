// The report page's stylesheet, inlined into the page: a light theme that prints on white, system fonts only.

export const STYLE = `
:root { --ink: #0f172a; --muted: #64748b; --line: #e2e8f0; --paper: #ffffff; --wash: #f8fafc;
  --ok: #2563eb; --fail: #d97706; --lost: #dc2626; --follow: #16a34a; --fault: #fecaca; --violet: #7c3aed; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--wash); color: var(--ink);
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 1140px; margin: 0 auto; padding: 24px 20px 40px; }
h1 { font-size: 22px; margin: 0 0 2px; letter-spacing: -0.01em; }
h2 { font-size: 16px; margin: 28px 0 10px; }
.sub { color: var(--muted); margin: 0 0 14px; }
.verdict { margin: 0 0 16px; font-size: 15px; }
.verdict strong.bad { color: var(--lost); }
.verdict strong.good { color: var(--follow); }
.cards { display: flex; flex-wrap: wrap; gap: 10px; margin: 0; padding: 0; }
.card { flex: 1 1 auto; min-width: 96px; background: var(--paper); border: 1px solid var(--line); border-radius: 8px; padding: 9px 11px; }
.card dt { color: var(--muted); font-size: 11px; text-transform: uppercase; letter-spacing: 0.03em; white-space: nowrap; }
.card dd { margin: 2px 0 0; font-size: 22px; font-weight: 650; font-variant-numeric: tabular-nums; white-space: nowrap; }
.card dd small { font-size: 12px; font-weight: 400; color: var(--muted); }
.card.bad { border-color: #fca5a5; background: #fef2f2; } .card.bad dd { color: var(--lost); }
.card.good dd { color: var(--follow); }
.card.wide dd { font-size: 15px; line-height: 1.3; white-space: normal; }
.card.wide dd small { display: block; font-size: 15px; font-weight: 650; color: var(--ink); }
figure { margin: 18px 0 0; background: var(--paper); border: 1px solid var(--line); border-radius: 8px; padding: 10px 10px 4px; }
figcaption { color: var(--muted); font-size: 12px; padding: 2px 4px 8px; }
.legend { display: flex; flex-wrap: wrap; gap: 4px 16px; list-style: none; margin: 0; padding: 0 4px 6px; font-size: 12px; color: var(--muted); }
.legend li::before { content: ""; display: inline-block; width: 14px; height: 10px; margin-right: 5px; vertical-align: -1px; border-radius: 2px; }
.legend .k-ok::before { background: rgba(37, 99, 235, 0.35); border: 1px solid var(--ok); }
.legend .k-failed::before { background: rgba(217, 119, 6, 0.45); border: 1px solid var(--fail); }
.legend .k-reads::before { height: 0; border-top: 2px dashed #64748b; border-radius: 0; }
.legend .k-p99::before { height: 0; border-top: 2px solid var(--violet); border-radius: 0; }
.legend .k-max::before { height: 0; border-top: 4px solid #c4b5fd; border-radius: 0; }
.legend .k-fault::before { background: var(--fault); }
.legend .k-unavail::before { background: repeating-linear-gradient(45deg, #fff, #fff 2px, #f87171 2px, #f87171 3px); border: 1px solid #fca5a5; }
.legend .k-lost::before { width: 3px; background: var(--lost); }
.legend .k-follow::before { width: 3px; background: var(--follow); }
svg.timeline { display: block; font-family: inherit; }
svg .panel-title { font-size: 13px; font-weight: 650; fill: var(--ink); }
svg .panel-sub { font-size: 11px; fill: var(--muted); }
svg .ytick { font-size: 11px; fill: var(--muted); text-anchor: end; font-variant-numeric: tabular-nums; }
svg .xtick { font-size: 11px; fill: var(--muted); text-anchor: middle; font-variant-numeric: tabular-nums; }
svg .hgrid { stroke: #eef2f7; } svg .vgrid { stroke: #eef2f7; } svg .baseline { stroke: #94a3b8; }
svg .fault-window { fill: var(--fault); fill-opacity: 0.45; }
svg .fault-mark { stroke: var(--lost); stroke-width: 1.5; }
svg .unavailable-window { fill: url(#rtopo-hatch); }
svg .hatch { stroke: #f87171; stroke-width: 1.2; stroke-opacity: 0.55; }
svg .unavailable-label { font-size: 11px; font-weight: 600; fill: #b91c1c; text-anchor: middle; paint-order: stroke; stroke: #fff; stroke-width: 3px; }
svg .throughput { fill: rgba(37, 99, 235, 0.28); stroke: var(--ok); stroke-width: 1.2; stroke-linejoin: round; }
svg .throughput-failed { fill: rgba(217, 119, 6, 0.45); stroke: var(--fail); stroke-width: 1; }
svg .throughput-reads { fill: none; stroke: #64748b; stroke-width: 1.2; stroke-dasharray: 4 3; }
svg .latency { fill: none; stroke-width: 1.6; stroke-linejoin: round; }
svg .latency[data-stat="p99"] { stroke: var(--violet); }
svg .latency[data-stat="max"] { stroke: #c4b5fd; stroke-width: 4; stroke-opacity: 0.8; }
svg .empty { font-size: 12px; fill: var(--muted); text-anchor: middle; }
svg .lane-odd { fill: rgba(15, 23, 42, 0.035); } svg .lane-even { fill: none; }
svg .lane-label { font: 11px ui-monospace, "SFMono-Regular", Menlo, Consolas, "DejaVu Sans Mono", monospace; text-anchor: end; fill: #334155; }
svg .lane-label.tone-lost { fill: var(--lost); font-weight: 700; }
svg .lost-write line { stroke: var(--lost); stroke-width: 2; }
svg .stale-reads { fill: var(--fail); }
svg .event-mark circle { stroke: #fff; stroke-width: 1; fill: #4f46e5; }
svg .event-mark.tone-down circle { fill: var(--lost); }
svg .event-mark.tone-done circle { fill: var(--follow); }
svg .event-mark.tone-info circle { fill: #94a3b8; }
svg .event-mark.tone-cleared circle { fill: #cbd5e1; stroke: #64748b; }
svg .switch-line { stroke: var(--follow); stroke-width: 1; stroke-dasharray: 3 3; }
svg .client-followed { stroke: var(--follow); stroke-width: 2; }
svg .top-label { font-size: 11.5px; font-weight: 600; }
svg .top-leader { stroke-width: 1; stroke-opacity: 0.6; }
svg .label-fault { fill: var(--lost); stroke: var(--lost); } svg text.label-fault { stroke: none; }
svg .label-switch, svg .label-followed { fill: var(--follow); stroke: var(--follow); }
svg text.label-switch, svg text.label-followed { stroke: none; }
svg .label-recovered { fill: var(--muted); stroke: var(--muted); } svg text.label-recovered { stroke: none; }
.tables { display: grid; grid-template-columns: minmax(0, 1fr); gap: 0 24px; }
table { width: 100%; border-collapse: collapse; background: var(--paper); border: 1px solid var(--line); border-radius: 8px; overflow: hidden; font-size: 13px; }
th, td { text-align: left; padding: 5px 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: #f1f5f9; font-weight: 600; font-size: 12px; color: #334155; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.mono { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, "DejaVu Sans Mono", monospace; font-size: 12px; word-break: break-all; }
td.event { white-space: nowrap; font-weight: 600; }
tr.tone-down td.event { color: var(--lost); } tr.tone-done td.event { color: var(--follow); }
tr.tone-info td, tr.tone-cleared td { color: var(--muted); }
tr.fault-row td { background: #fef2f2; color: #991b1b; font-weight: 600; }
.options { color: var(--muted); font-size: 12px; margin-top: 22px; }
.options code { font-size: 12px; }
@media print {
  body { background: #fff; font-size: 12px; }
  main { max-width: none; padding: 0; }
  figure, .card, table { break-inside: avoid; border-color: #cbd5e1; }
  tr { break-inside: avoid; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
`
