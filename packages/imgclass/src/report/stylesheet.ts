/**
 * The one stylesheet of report.html (inlined there) and of the web app
 * (served as /style.css): system fonts, one accent colour, a single column on
 * a phone and a wider grid of charts on a laptop.
 */
export const STYLESHEET = `
:root { --ink: #1f2937; --muted: #6b7280; --line: #e5e7eb; --bg: #f7f8fa; --card: #ffffff; --accent: #0072b2; --good: #1b7f4b; --bad: #b42318; }
* { box-sizing: border-box; }
[hidden] { display: none !important; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: var(--ink); background: var(--bg); }
header { background: var(--card); border-bottom: 1px solid var(--line); }
header nav, main { max-width: 1100px; margin: 0 auto; padding: 0 16px; }
header nav { display: flex; gap: 20px; align-items: center; height: 52px; }
header nav .brand { font-weight: 600; margin-right: auto; color: var(--ink); }
a { color: var(--accent); text-decoration: none; }
a:hover { text-decoration: underline; }
main { padding-top: 20px; padding-bottom: 48px; }
h1 { font-size: 1.5rem; font-weight: 600; margin: 0 0 4px; }
h2 { font-size: 1.1rem; font-weight: 600; margin: 28px 0 10px; }
.muted { color: var(--muted); }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 14px; }
.charts { display: grid; gap: 14px; grid-template-columns: 1fr; }
@media (min-width: 900px) { .charts { grid-template-columns: 1fr 1fr; } }
.charts .card, .figure { overflow-x: auto; }
.figure { width: fit-content; max-width: 100%; margin-bottom: 14px; }
svg.chart { display: block; max-width: 100%; height: auto; }
table { width: 100%; border-collapse: collapse; background: var(--card); border: 1px solid var(--line); border-radius: 8px; }
th, td { text-align: left; padding: 8px 10px; border-bottom: 1px solid var(--line); }
th { font-weight: 600; font-size: 0.85rem; color: var(--muted); }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
@media (max-width: 640px) { .wide-only { display: none; } th, td { padding: 6px; } header nav, main { padding-left: 10px; padding-right: 10px; } .card { padding: 8px; } }
.badge { display: inline-block; padding: 1px 8px; border-radius: 999px; font-size: 0.8rem; border: 1px solid var(--line); background: var(--bg); }
.badge.training { color: var(--accent); border-color: var(--accent); }
.badge.done { color: var(--good); border-color: var(--good); }
.badge.failed, .badge.stopped { color: var(--bad); border-color: var(--bad); }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 12px 0 0; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; }
progress { width: 100%; height: 8px; accent-color: var(--accent); }
form.stack, .stack { display: grid; gap: 12px; max-width: 520px; }
details summary { cursor: pointer; color: var(--accent); margin-bottom: 12px; }
label { display: grid; gap: 4px; font-size: 0.9rem; }
input, select, button { font: inherit; padding: 8px 10px; border: 1px solid #cfd4dc; border-radius: 6px; background: var(--card); color: var(--ink); }
button { background: var(--accent); border-color: var(--accent); color: #fff; cursor: pointer; justify-self: start; }
button:disabled { opacity: 0.6; cursor: default; }
.drop { border: 2px dashed #cfd4dc; border-radius: 8px; padding: 24px; text-align: center; background: var(--card); }
.drop.over { border-color: var(--accent); background: #eef5fb; }
.result { display: grid; gap: 16px; grid-template-columns: 1fr; margin-top: 20px; }
@media (min-width: 700px) { .result { grid-template-columns: auto 1fr; } }
.result img { width: 150px; height: 150px; image-rendering: pixelated; border: 1px solid var(--line); border-radius: 4px; }
.bars { list-style: none; padding: 0; margin: 0; display: grid; gap: 8px; }
.bars li { display: grid; grid-template-columns: minmax(80px, 10rem) 1fr 4rem; gap: 10px; align-items: center; }
.bars .bar { height: 10px; background: var(--line); border-radius: 5px; overflow: hidden; }
.bars .bar span { display: block; height: 100%; background: var(--accent); }
.error { color: var(--bad); }
.error:empty { display: none; }
figure { margin: 0; }
`;
