// Times the analysis worker's compute path (src/lib.rs) in V8 and natively, on the same file.
//
//   node bench.mjs one PKG.js FILE [--twice] [--reserve MIB] [--warm|--warmingest SMALL-FILE]
//       one run in this process: load the wasm-bindgen (--target nodejs) module, read FILE,
//       call analyse(bytes); prints the module's JSON line (phases in ms) plus load/compile time
//       and the wasm memory size. --twice: run again in the same instance (warm: tiered-up code,
//       heap already grown). --reserve: grow the heap by MIB first (allocate + free). --warm:
//       analyse SMALL-FILE first (untimed), so that V8 has tiered the hot functions up;
//       --warmingest: only ingest it.
//   node bench.mjs stream PKG.js FILE [MIB] [RUNS] [WARM-FILE]
//       the streaming ingest alone (as the worker reads a picked file in MIB-MiB slices), RUNS
//       times in this instance after a warm-up on WARM-FILE (default src/warmup.json)
//   node bench.mjs chromium-one WEBDIR FILE [--reserve MIB] [--warm|--warmingest SMALL-FILE]
//       one run in a fresh headless Chromium ($CHROMIUM, default /usr/bin/chromium): serves chromium.html,
//       the wasm-bindgen --target web module in WEBDIR and FILE on 127.0.0.1, prints the page's
//       JSON line.
//   node bench.mjs run [--reps N] [--file FILE]... LABEL=SPEC...
//       every SPEC on every FILE, N times (default 5), interleaved, each in a fresh process;
//       prints a Markdown table of medians. SPEC is `native:PATH` (krs-wasm-bench-native),
//       `chromium:WEBDIR`, or `PKG.js` optionally followed by `|node-flag|node-flag` (V8 flags
//       such as --no-liftoff) and `|+reserve=MIB` (or `auto`: a sixth of the input), `|+warm=SMALL-FILE`, `|+warmingest=SMALL-FILE` (ingest only) or `|+twice` (the
//       second run's time counts); `chromium:WEBDIR` takes `|+reserve=MIB`, `|+warm=FILE` and
//       `|+warmingest=FILE`.
import { createRequire } from 'node:module';
import { readFileSync, statSync, createReadStream, mkdtempSync, rmSync } from 'node:fs';
import { spawnSync, spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const mode = args.shift();

if (mode === 'parsers') {
  // node bench.mjs parsers PKG.js FILE [RUNS]: the floor parse with serde_json, sonic-rs and
  // simd-json (a build with the `parsers` feature), interleaved in one instance after a warm-up
  // run of each; prints the medians.
  const [pkg, file, runsArg] = args;
  const mod = createRequire(import.meta.url)(pkg);
  const bytes = readFileSync(file);
  const names = ['serde_json', 'sonic-rs', 'simd-json'];
  const times = [[], [], []];
  const pods = new Set();
  for (let w = 0; w < 3; w++) pods.add(mod.parse_with(w, bytes)[0]);
  for (let r = 0; r < Number(runsArg || 5); r++) {
    for (let w = 0; w < 3; w++) {
      const [n, ms] = mod.parse_with(w, bytes);
      pods.add(n);
      times[w].push(ms);
    }
  }
  if (pods.size !== 1) throw new Error(`the parsers disagree: ${[...pods]}`);
  const median = (v) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
  const base = median(times[0]);
  for (let w = 0; w < 3; w++) {
    console.log(`| ${names[w]} | ${median(times[w]).toFixed(0)} ms | ${Math.min(...times[w]).toFixed(0)} ms | ${(median(times[w]) / base).toFixed(2)} |`);
  }
} else if (mode === 'stream') {
  // node bench.mjs stream PKG.js FILE [MIB] [RUNS] [WARM-FILE]: the streaming ingest alone
  // (`stream_ingest`: MIB-MiB slices copied into wasm memory and fed to the core's reader, as
  // the worker feeds a picked file), after one untimed run on WARM-FILE (default
  // src/warmup.json, as the worker warms up); RUNS runs in this instance, each printed.
  const [pkg, file, mibArg, runsArg, warmArg] = args;
  const mod = createRequire(import.meta.url)(pkg);
  const here = dirname(fileURLToPath(import.meta.url));
  mod.stream_ingest(readFileSync(warmArg || join(here, '../../src/warmup.json')), 1);
  const bytes = readFileSync(file);
  for (let r = 0; r < Number(runsArg || 3); r++) {
    const [pods, ms] = mod.stream_ingest(bytes, Number(mibArg || 16));
    console.log(JSON.stringify({ pods, ms: Math.round(ms), memory_mib: Math.round(mod.memory_bytes() / 1048576) }));
  }
} else if (mode === 'one') {
  const [pkg, file, ...rest] = args;
  const t0 = performance.now();
  const mod = createRequire(import.meta.url)(pkg);
  const load = performance.now() - t0;
  const bytes = readFileSync(file);
  const out = { load_ms: load, runs: [] };
  const w = rest.indexOf('--warm');
  if (w >= 0) {
    const s = performance.now();
    mod.analyse(readFileSync(rest[w + 1]));
    out.warm_ms = performance.now() - s;
  }
  const wi = rest.indexOf('--warmingest');
  if (wi >= 0) {
    const s = performance.now();
    mod.warm_ingest(readFileSync(rest[wi + 1]));
    out.warm_ms = performance.now() - s;
  }
  const i = rest.indexOf('--reserve');
  // `auto`: a sixth of the input, as src/engine.rs's reserve_heap.
  if (i >= 0) out.reserve_ms = mod.reserve(rest[i + 1] === 'auto' ? Math.ceil(bytes.length / 6 / 1048576) : Number(rest[i + 1]));
  const runs = rest.includes('--twice') ? 2 : 1;
  for (let r = 0; r < runs; r++) {
    const s = performance.now();
    const line = JSON.parse(mod.analyse(bytes));
    line.call_ms = performance.now() - s;
    out.runs.push(line);
  }
  out.memory_bytes = mod.memory_bytes();
  const cpu = process.cpuUsage();
  out.process_cpu_ms = (cpu.user + cpu.system) / 1e3;
  console.log(JSON.stringify(out));
} else if (mode === 'chromium-one') {
  const [webdir, file, ...opts] = args;
  const chromium = process.env.CHROMIUM ?? '/usr/bin/chromium';
  const query = new URLSearchParams();
  let warm = null;
  for (let i = 0; i < opts.length; i += 2) {
    if (opts[i] === '--reserve') query.set('reserve', opts[i + 1]);
    if (opts[i] === '--warm') { warm = opts[i + 1]; query.set('warm', '1'); }
    if (opts[i] === '--warmingest') { warm = opts[i + 1]; query.set('warm', 'ingest'); }
  }
  const here = dirname(fileURLToPath(import.meta.url));
  const types = { js: 'text/javascript', wasm: 'application/wasm', html: 'text/html' };
  const server = createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    let path = null;
    if (url.pathname === '/') path = join(here, 'chromium.html');
    else if (url.pathname === '/snapshot') path = file;
    else if (url.pathname === '/warm') path = warm;
    else if (url.pathname.startsWith('/pkg/') && !url.pathname.includes('..'))
      path = join(webdir, url.pathname.slice(5));
    if (!path) { res.writeHead(404).end(); return; }
    const ext = path.split('.').pop();
    res.writeHead(200, { 'content-type': types[ext] ?? 'application/octet-stream' });
    createReadStream(path).on('error', () => res.end()).pipe(res);
  });
  server.listen(0, '127.0.0.1', () => {
    const profile = mkdtempSync(join(tmpdir(), 'wasm-bench-chromium-'));
    const child = spawn(chromium, ['--headless=new', '--no-sandbox', '--disable-gpu',
      '--no-first-run', '--enable-logging=stderr', '--v=0', `--user-data-dir=${profile}`,
      `http://127.0.0.1:${server.address().port}/?${query}`], { detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
    let buf = '';
    const done = (code) => {
      try { process.kill(-child.pid, 'SIGKILL'); } catch {}
      server.close();
      rmSync(profile, { recursive: true, force: true });
      process.exit(code);
    };
    const timer = setTimeout(() => { console.error('chromium: no result in 300 s'); done(1); }, 300_000);
    child.stderr.on('data', (d) => {
      buf += d;
      const m = buf.match(/WASM-BENCH (\{.*\})/);
      if (m) {
        clearTimeout(timer);
        const v = JSON.parse(m[1]);
        if (v.error) { console.error(v.error); done(1); return; }
        console.log(JSON.stringify(v));
        done(0);
      }
    });
    child.on('exit', () => { if (!/WASM-BENCH/.test(buf)) { console.error(buf.slice(-2000)); done(1); } });
  });
} else if (mode === 'run') {
  let reps = 5;
  const files = [];
  const specs = [];
  while (args.length) {
    const a = args.shift();
    if (a === '--reps') reps = Number(args.shift());
    else if (a === '--file') files.push(args.shift());
    else specs.push(a);
  }
  const me = fileURLToPath(import.meta.url);
  const results = {};
  for (const file of files) {
    readFileSync(file); // page cache
    for (let r = 0; r < reps; r++) {
      for (const s of specs) {
        const [label, spec] = [s.slice(0, s.indexOf('=')), s.slice(s.indexOf('=') + 1)];
        let cmd, cmdArgs;
        if (spec.startsWith('native:')) {
          cmd = spec.slice('native:'.length);
          cmdArgs = [file];
        } else if (spec.startsWith('chromium:')) {
          cmd = process.execPath;
          const [dir, ...opts] = spec.slice('chromium:'.length).split('|');
          cmdArgs = [me, 'chromium-one', dir, file];
          for (const o of opts) {
            const [k, v] = o.slice(1).split('=');
            cmdArgs.push(`--${k}`, v);
          }
        } else {
          const [pkg, ...opts] = spec.split('|');
          const flags = opts.filter((o) => o.startsWith('--'));
          const extra = [];
          for (const o of opts.filter((o) => o.startsWith('+'))) {
            const [k, v] = o.slice(1).split('=');
            if (k === 'reserve') extra.push('--reserve', v);
            if (k === 'twice') extra.push('--twice');
            if (k === 'warm') extra.push('--warm', v);
            if (k === 'warmingest') extra.push('--warmingest', v);
          }
          cmd = process.execPath;
          cmdArgs = [...flags, me, 'one', pkg, file, ...extra];
        }
        const p = spawnSync(cmd, cmdArgs, { encoding: 'utf8', maxBuffer: 1 << 24 });
        if (p.status !== 0) {
          console.error(`${label} on ${file} failed:\n${p.stderr}`);
          process.exit(1);
        }
        let v = JSON.parse(p.stdout.trim().split('\n').pop());
        if (!v.runs) v = { runs: [v] };
        ((results[file] ??= {})[label] ??= []).push(v);
        const last = v.runs[v.runs.length - 1];
        console.error(`${file} ${label} ${r + 1}/${reps}: ${last.total_ms.toFixed(0)} ms` +
          (v.runs.length > 1 ? ` (first run ${v.runs[0].total_ms.toFixed(0)} ms)` : ''));
      }
    }
  }
  const median = (xs) => {
    const s = [...xs].sort((a, b) => a - b);
    const n = s.length;
    return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
  };
  const phase = (run, name) => (run.phases.find((p) => p[0] === name) ?? [name, NaN])[1];
  const names = ['copy', 'catalogue', 'ingest', 'analyze', 'repack', 'reply', 'drop'];
  const fmt = (ms) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`);
  for (const file of files) {
    const size = statSync(file).size;
    console.log(`\n### ${file} (${(size / 1e6).toFixed(1)} MB, ${reps} reps, medians)\n`);
    console.log(`| config | total | min | × native | ${names.join(' | ')} | process CPU | wasm memory | warm-up run (not in total) |`);
    console.log(`|---|---|---|---|${names.map(() => '---').join('|')}|---|---|---|`);
    const byLabel = results[file];
    const nat = Object.entries(byLabel).find(([l]) => specs.find((s) => s.startsWith(l + '=native:')));
    const natMedian = nat ? median(nat[1].map((v) => v.runs[v.runs.length - 1].total_ms)) : NaN;
    for (const [label, vs] of Object.entries(byLabel)) {
      const runs = vs.map((v) => v.runs[v.runs.length - 1]);
      const total = median(runs.map((r) => r.total_ms));
      const min = Math.min(...runs.map((r) => r.total_ms));
      const mem = vs[0].memory_bytes ? `${(vs[0].memory_bytes / 1048576).toFixed(0)} MiB` : '—';
      console.log(`| ${label} | ${fmt(total)} | ${fmt(min)} | ${(total / natMedian).toFixed(2)}× | ` +
        names.map((n) => fmt(median(runs.map((r) => phase(r, n))))).join(' | ') + ' | ' +
        ((vs[0].process_cpu_ms ?? vs[0].runs[0].process_cpu_ms) !== undefined
          ? fmt(median(vs.map((v) => v.process_cpu_ms ?? v.runs[0].process_cpu_ms)))
          : '—') + ` | ${mem} | ` +
        (vs[0].warm_ms !== undefined ? fmt(median(vs.map((v) => v.warm_ms))) : '—') + ' |');
    }
  }
} else {
  console.error('usage: node bench.mjs one PKG.js FILE [--twice] [--reserve MIB] | run [--reps N] --file FILE LABEL=SPEC...');
  process.exit(2);
}
