// The console's only stylesheet, sent inline in each page and allowed by its hash in the content security policy.
export const consoleCss = `
:root { color-scheme: light; --ink: #1f2328; --muted: #59636e; --line: #d1d9e0; --accent: #0969da; --ok: #1a7f37; --warn: #9a6700; --bad: #cf222e; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--ink); background: #f6f8fa; }
header { display: flex; align-items: center; gap: 24px; padding: 10px 24px; background: #fff; border-bottom: 1px solid var(--line); }
header nav { display: flex; gap: 16px; flex: 1; }
header nav a { color: var(--muted); text-decoration: none; padding: 4px 0; }
header nav a.active { color: var(--ink); border-bottom: 2px solid var(--accent); }
.brand { font-size: 15px; }
.sign-out { margin-left: auto; }
.actor { color: var(--muted); }
main { padding: 16px 24px 48px; max-width: 1400px; }
h1 { font-size: 20px; margin: 8px 0 16px; }
h2 { font-size: 16px; margin: 24px 0 8px; }
a { color: var(--accent); }
table { border-collapse: collapse; width: 100%; background: #fff; border: 1px solid var(--line); }
th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: #f6f8fa; font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 12px; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(180px, 1fr)); gap: 12px; }
.card { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 12px; }
.card .value { font-size: 22px; font-weight: 600; }
.card .label { color: var(--muted); }
.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px; background: #eaeef2; }
.badge.healthy, .badge.succeeded, .badge.success, .badge.active { background: #dafbe1; color: var(--ok); }
.badge.running, .badge.held, .badge.partial, .badge.warning, .badge.stale, .badge.skipped { background: #fff8c5; color: var(--warn); }
.badge.quarantined, .badge.failed, .badge.failure, .badge.interrupted { background: #ffebe9; color: var(--bad); }
.health { font-size: 16px; padding: 12px; background: #fff; border: 1px solid var(--line); border-radius: 6px; margin-bottom: 16px; }
.notice { padding: 8px 12px; background: #ddf4ff; border: 1px solid #54aeff; border-radius: 6px; }
.problem { padding: 8px 12px; background: #ffebe9; border: 1px solid #ff8182; border-radius: 6px; }
.muted { color: var(--muted); }
form.filters { display: flex; flex-wrap: wrap; gap: 8px; align-items: end; margin-bottom: 12px; }
form.filters label { display: flex; flex-direction: column; font-size: 12px; color: var(--muted); }
input, select, button { font: inherit; padding: 4px 8px; border: 1px solid var(--line); border-radius: 6px; background: #fff; }
button { cursor: pointer; background: #f6f8fa; }
button.primary { background: var(--accent); color: #fff; border-color: var(--accent); }
button.danger { background: var(--bad); color: #fff; border-color: var(--bad); }
.actions { display: flex; gap: 8px; margin: 12px 0; flex-wrap: wrap; }
.sign-in { max-width: 360px; margin: 48px auto; background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 24px; }
.sign-in label { display: block; margin-bottom: 12px; }
.sign-in input { width: 100%; }
svg.chart { background: #fff; border: 1px solid var(--line); border-radius: 6px; width: 100%; height: auto; }
.legend span { margin-right: 12px; }
.legend i { display: inline-block; width: 10px; height: 10px; margin-right: 4px; }
.k-create { background: #2da44e; } .k-update { background: #0969da; } .k-deprovision { background: #bf8700; } .k-members { background: #8250df; } .k-failure { background: #cf222e; } .k-duration { background: #57606a; }
pre { background: #fff; border: 1px solid var(--line); padding: 12px; overflow: auto; }
`;
