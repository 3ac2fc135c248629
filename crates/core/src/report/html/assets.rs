//! The report's one stylesheet and one small script, inlined verbatim and allowed by their
//! SHA-256 hashes in the page's Content-Security-Policy ([`content_security_policy`]).

use base64::Engine as _;
use sha2::{Digest, Sha256};

/// The stylesheet: system fonts, light and dark (`prefers-color-scheme`), and a print layout
/// that fits both A4 and Letter (the page size is left to the printer; 12 mm margins).
pub const CSS: &str = r#"
:root{--bg:#fff;--fg:#1d232b;--mute:#5b6573;--line:#dfe3e8;--band:#f5f7f9;--acc:#2f6db3;--acc2:#173f6e;--acc3:#8fb3dd;--ok:#22794a;--warn:#9a5b00;--bad:#b3261e;color-scheme:light dark}
@media (prefers-color-scheme:dark){:root{--bg:#14181d;--fg:#e3e7ec;--mute:#9aa5b2;--line:#2c333c;--band:#1b2027;--acc:#6fa3e0;--acc2:#b9d3f2;--acc3:#3b5f8a;--ok:#5cc48b;--warn:#e0a040;--bad:#ff8a80}}
*{box-sizing:border-box}
html{background:var(--bg);color:var(--fg);font:13px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
body{margin:0 auto;max-width:1180px;padding:24px 28px 48px}
h1{font-size:22px;margin:0 0 2px;font-weight:600}
h2{font-size:16px;margin:30px 0 8px;padding-bottom:4px;border-bottom:1px solid var(--line);font-weight:600}
h3{font-size:13px;margin:16px 0 6px;font-weight:600}
p{margin:6px 0}
.meta,.note,figcaption,caption{color:var(--mute)}
.meta{margin:0 0 14px}
nav{margin:10px 0 0;color:var(--mute)}
nav a{color:var(--acc);text-decoration:none;margin-right:12px}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(122px,1fr));gap:8px;margin:14px 0 0;padding:0}
.cards div{border:1px solid var(--line);border-radius:6px;padding:8px 10px;background:var(--band)}
.cards dt{color:var(--mute);font-size:11px;text-transform:uppercase;letter-spacing:.04em}
.cards dd{margin:2px 0 0;font-size:17px;font-weight:600;font-variant-numeric:tabular-nums}
.cards .save dd{color:var(--ok)}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(440px,1fr));gap:14px 24px}
figure{margin:0;break-inside:avoid}
figcaption{font-size:12px;margin:0 0 4px}
svg.chart{width:100%;height:auto;display:block}
svg .l{fill:var(--fg);font-size:12px;text-anchor:end}
svg .v{fill:var(--mute);font-size:12px}
svg .b{fill:var(--acc3)}
svg .b2{fill:var(--acc)}
svg .b3{fill:var(--acc2)}
svg .ref{stroke:var(--bad);stroke-dasharray:3 3}
.key{font-size:11px;color:var(--mute)}
.key i{display:inline-block;width:10px;height:10px;margin:0 4px 0 10px;vertical-align:-1px;border-radius:2px}
.key .k1{background:var(--acc3)}.key .k2{background:var(--acc)}.key .k3{background:var(--acc2)}
.scroll{overflow-x:auto}
table{border-collapse:collapse;width:100%;font-size:12px;font-variant-numeric:tabular-nums}
caption{text-align:left;font-size:12px;padding:0 0 4px}
th,td{padding:3px 6px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top;unicode-bidi:isolate}
th{font-weight:600;background:var(--band);position:sticky;top:0;white-space:nowrap}
th[data-dir=a]::after{content:" \25B2"}th[data-dir=d]::after{content:" \25BC"}
td.n,th.n{text-align:right;white-space:nowrap}
td.w{word-break:break-all;min-width:8em}
tbody tr:hover{background:var(--band)}
.ctr{color:var(--mute);font-size:11px}
.ctr b{color:var(--fg);font-weight:500}
.rec{color:var(--ok)}
.sev-critical,.sev-high{color:var(--bad);font-weight:600}
.sev-warning,.sev-medium{color:var(--warn);font-weight:600}
.est{color:var(--warn)}
details{margin:8px 0;border:1px solid var(--line);border-radius:6px;padding:4px 8px}
summary{cursor:pointer;color:var(--acc);padding:2px 0}
code,pre{font:12px/1.45 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
pre{background:var(--band);border:1px solid var(--line);border-radius:6px;padding:8px 10px;overflow-x:auto}
.placeholder{border:1px dashed var(--line);border-radius:6px;padding:8px 10px;color:var(--mute)}
footer{margin-top:36px;color:var(--mute);font-size:11px;border-top:1px solid var(--line);padding-top:8px}
@media print{
@page{margin:12mm}
:root{--bg:#fff;--fg:#000;--mute:#444;--line:#bbb;--band:#f2f2f2;--acc:#2f6db3;--acc2:#173f6e;--acc3:#9fbfe3;--ok:#1d6b3f;--warn:#7a4800;--bad:#a0221b}
html{font-size:9pt}body{max-width:none;padding:0}
nav,th[data-dir]::after{display:none}
h2{break-after:avoid}
table{font-size:8pt}th{position:static}
tr,figure,.cards div{break-inside:avoid}
details{border:0;padding:0}
.scroll{overflow:visible}
}
"#;

/// Sorting of tables marked `sortable` by a click (or Enter) on a column header: numbers by the
/// cell's `data-v`, text otherwise. Without JavaScript the tables keep their report order.
pub const SCRIPT: &str = r#"
document.querySelectorAll("table.sortable th").forEach(function(th){
th.tabIndex=0;
function sort(){var t=th.closest("table"),b=t.tBodies[0],i=th.cellIndex,d=th.dataset.dir==="d"?"a":"d";
t.querySelectorAll("th").forEach(function(h){delete h.dataset.dir;});th.dataset.dir=d;
var rows=Array.prototype.slice.call(b.rows);
rows.sort(function(x,y){var p=x.cells[i],q=y.cells[i];if(!p||!q)return 0;
var u=p.dataset.v,v=q.dataset.v,c=(u!==undefined&&v!==undefined)?(+u)-(+v):p.textContent.localeCompare(q.textContent);
return d==="a"?c:-c;});
rows.forEach(function(r){b.appendChild(r);});}
th.addEventListener("click",sort);
th.addEventListener("keydown",function(e){if(e.key==="Enter")sort();});
});
"#;

/// `'sha256-<base64>'`, the CSP source expression allowing an inline element whose content is
/// exactly `content`.
pub fn csp_hash(content: &str) -> String {
    let digest = Sha256::digest(content.as_bytes());
    format!(
        "'sha256-{}'",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}

/// The policy of the `<meta http-equiv="Content-Security-Policy">`: nothing is allowed but the
/// inline [`CSS`] and [`SCRIPT`] (by hash) and `data:` images; no network access at all.
pub fn content_security_policy() -> String {
    format!(
        "default-src 'none'; style-src {}; script-src {}; img-src data:; base-uri 'none'; form-action 'none'",
        csp_hash(CSS),
        csp_hash(SCRIPT)
    )
}
