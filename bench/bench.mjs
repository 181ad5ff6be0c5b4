#!/usr/bin/env node
/**
 * `npm run bench`: the five workloads of issue 3, lintrain (built dist/, wasm and
 * js backends) beside the textbook numpy code (bench/numpy_baseline.py, float32
 * and float64), alternating implementations within every repeat, medians in a
 * Markdown table with the ratio to the best numpy and the issue's targets.
 *
 *   node bench/bench.mjs [--data DIR] [--repeats N] [--quick] [--backend js|wasm|both]
 *                        [--only 1,2,...] [--tries N] [--js-tries N] [--steps N]
 *                        [--threads N] [--python CMD]
 *
 * A full run (5 repeats, 1,000 random-search tries) takes the better part of an
 * hour on 2 cores, mostly numpy's random search; --quick takes a few minutes.
 */
import fs from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import * as lt from './lintrain_side.mjs';
import { DTYPES, describeBlas, numpyInfo, numpySample } from './numpy_side.mjs';
import { fmt, machine, median, table } from './report.mjs';
import { rssMethod } from './spawn.mjs';
import { settle, watchOthers } from './contention.mjs';

const WORKLOADS = [
  { id: 1, key: 'sgd-step', rows: [
    { metric: 'svm', label: '1. SGD step, batch 200, svm', unit: 'ms', target: { kind: 'ratio', max: 0.6 } },
    { metric: 'softmax', label: '1. SGD step, batch 200, softmax', unit: 'ms', target: { kind: 'ratio', max: 0.6 } }] },
  { id: 2, key: 'full-pass', rows: [
    { metric: 'svm', label: '2. full pass, svm loss + grad, 49,000 rows', unit: 'ms', target: { kind: 'ratio', max: 0.5 } }] },
  { id: 3, key: 'random-search', rows: [
    { metric: 'svm', label: '3. random search, 1,000 tries', unit: 's', target: { kind: 'ratio', max: 0.5 } }] },
  { id: 4, key: 'load', needsData: true, rows: [
    { metric: 'load', label: '4. load + preprocess, 6 batch files', unit: 'ms', target: { kind: 'ratio', max: 0.5 } }] },
  { id: 5, key: 'e2e', needsData: true, rows: [
    { metric: 'wall', label: '5. end to end, svm sgd 1,500 it, wall', unit: 's', target: { kind: 'ratio', max: 1, strict: true } },
    { metric: 'peak_rss', label: '5. end to end, peak RSS', unit: 'MB', target: { kind: 'abs', max: 350 } }] },
];

const USAGE = `usage: npm run bench -- [options]
  --data DIR        CIFAR-10 batch dir or its parent (default: $LINTRAIN_DATA, else data/)
  --repeats N       samples per implementation and workload (default 5; --quick 3)
  --quick           fewer repeats, steps and tries (a few minutes instead of most of an hour)
  --backend B       js, wasm or both (default both)
  --only LIST       workloads to run, e.g. 1,2 (default 1,2,3,4,5)
  --tries N         random-search tries for wasm and numpy (default 1000; --quick 50), scaled to 1,000
  --js-tries N      random-search tries for the js backend (default 16), scaled to 1,000
  --steps N         SGD steps per sample (default 200; --quick 50)
  --threads N       lintrain worker threads (default all cores)
  --python CMD      python with numpy (default python3)
  --settle S        before each sample, wait up to S s for other processes to go quiet (default 30; 0: never)`;

function options() {
  const { values } = parseArgs({
    options: {
      data: { type: 'string' }, repeats: { type: 'string' }, quick: { type: 'boolean', default: false },
      backend: { type: 'string', default: 'both' }, only: { type: 'string' }, tries: { type: 'string' },
      'js-tries': { type: 'string' }, steps: { type: 'string' }, threads: { type: 'string' },
      python: { type: 'string', default: 'python3' }, settle: { type: 'string' }, help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const int = (flag, v, dflt) => {
    if (v === undefined) return dflt;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) fail(`--${flag} must be a whole number >= 1, got ${v}`);
    return n;
  };
  if (!['js', 'wasm', 'both'].includes(values.backend)) fail(`--backend must be js, wasm or both, got ${values.backend}`);
  const only = values.only ? values.only.split(',').map((s) => Number(s.trim())) : [1, 2, 3, 4, 5];
  if (only.some((n) => !WORKLOADS.some((w) => w.id === n))) fail(`--only takes workload numbers 1..5, comma-separated; got ${values.only}`);
  const q = values.quick;
  const tries = int('tries', values.tries, q ? 50 : 1000);
  return {
    data: values.data, python: values.python, only,
    backends: values.backend === 'both' ? ['wasm', 'js'] : [values.backend],
    repeats: int('repeats', values.repeats, q ? 3 : 5),
    steps: int('steps', values.steps, q ? 50 : 200),
    tries, jsTries: Math.min(tries, int('js-tries', values['js-tries'], 16)),
    settle: values.settle === '0' ? 0 : int('settle', values.settle, 30),
    threads: int('threads', values.threads, os.availableParallelism()), threadsGiven: values.threads !== undefined,
  };
}

function fail(msg) {
  console.error(`bench: ${msg}`);
  process.exit(2);
}

const log = (msg) => process.stderr.write(`[bench] ${msg}\n`);

async function main() {
  const opt = options();
  let api;
  try {
    api = await lt.loadApi();
  } catch (e) {
    fail(e.message);
  }
  if (api.stale) log('warning: src/ is newer than dist/; run npm run build to bench the current code');
  const dataDir = api.resolveDataDir(opt.data);
  const batchDir = api.findBatchDir(dataDir);
  const numpy = numpyInfo(opt.python);
  if (numpy.ok) numpy.blas = describeBlas(numpy.info.blas);
  const ctx = { ...opt, batchDir };

  const impls = [...opt.backends.map((b) => ({ id: b, kind: 'lintrain' })),
    ...(numpy.ok ? DTYPES.map((d) => ({ id: d === 'float32' ? 'f32' : 'f64', kind: 'numpy', dtype: d })) : [])];
  const notes = [];
  const samples = {}; // workload key → impl id → metric → [values]
  const failed = new Set();
  const others = []; // share of the CPU other processes took during each sample

  const sample = async (w, impl) => {
    if (impl.kind === 'numpy') {
      const out = numpySample(opt.python, w.key, { dtype: impl.dtype, batchDir, steps: opt.steps, tries: opt.tries });
      const res = Object.fromEntries(Object.entries(out.metrics).map(([k, m]) => [k, m.median]));
      return res;
    }
    switch (w.key) {
      case 'sgd-step': return lt.sgdStep(api, ctx, impl.id);
      case 'full-pass': return lt.fullPass(api, ctx, impl.id);
      case 'random-search': return lt.randomSearch(api, ctx, impl.id, impl.id === 'js' ? opt.jsTries : opt.tries);
      case 'load': return lt.load(api, ctx, impl.id);
      case 'e2e': return lt.e2e(ctx, impl.id);
    }
  };

  for (const w of WORKLOADS.filter((x) => opt.only.includes(x.id))) {
    if (w.needsData && !batchDir) continue;
    samples[w.key] = {};
    for (let r = 1; r <= opt.repeats; r++) {
      for (const impl of impls) {
        const tag = `${w.key}/${impl.id}`;
        if (failed.has(tag)) continue;
        try {
          if (opt.settle > 0) await settle(opt.settle);
          const stop = watchOthers();
          const res = await sample(w, impl);
          const share = stop();
          if (share != null) others.push(share);
          const got = (samples[w.key][impl.id] ??= {});
          for (const [k, v] of Object.entries(res)) (got[k] ??= []).push(v);
          const busy = share != null && share > 0.05 ? ` (others took ${Math.round(share * 100)}% of the CPU)` : '';
          log(`${w.id} ${w.key} repeat ${r}/${opt.repeats} ${impl.id}: ${w.rows.map((row) => `${row.metric} ${fmt(res[row.metric])} ${row.unit}`).join(', ')}${busy}`);
        } catch (e) {
          failed.add(tag);
          notes.push(`${tag} failed and was left out: ${e.message.split('\n')[0]}`);
          log(`${tag} failed: ${e.message}`);
        }
      }
    }
  }

  const primary = opt.backends[0];
  const rows = [];
  for (const w of WORKLOADS.filter((x) => opt.only.includes(x.id) && samples[x.key])) {
    for (const row of w.rows) {
      const values = {};
      for (const id of ['wasm', 'js', 'f32', 'f64']) values[id] = median(samples[w.key][id]?.[row.metric] ?? []);
      rows.push({ ...row, values });
    }
  }

  notes.unshift(...describeRun(opt, ctx, dataDir, numpy, impls, samples));
  if (others.length) {
    const worst = Math.max(...others);
    const busy = others.filter((x) => x > 0.1).length;
    notes.push(busy
      ? `WARNING: other processes took over 10% of the CPU during ${busy} of ${others.length} samples (up to ${Math.round(worst * 100)}%): the figures are inflated and the ratios unreliable; rerun on a quiet machine.`
      : `Other processes took at most ${Math.round(worst * 100)}% of the CPU during any sample.`);
  }
  const header = machine(numpy, opt.threads);
  const text = [...header.map((l) => `${l}  `), '', rows.length ? table(rows, primary) : '(no workload ran)', '', ...notes.map((n) => `- ${n}`), ''].join('\n');
  process.stdout.write(`\n${text}`);
  const dir = new URL('./results/', import.meta.url);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(new URL('latest.md', dir), `# lintrain benchmark, ${new Date().toISOString()}\n\n${text}`);
  fs.writeFileSync(new URL('latest.json', dir), JSON.stringify({ date: new Date().toISOString(), options: opt, batchDir, numpy, rows, samples, others }, null, 2));
  log('written to bench/results/latest.md and latest.json');
}

/** The plain facts a reader needs to trust the table. */
function describeRun(opt, ctx, dataDir, numpy, impls, samples) {
  const n = [];
  const args = process.argv.slice(2).join(' ');
  n.push(`Command: \`npm run bench${args ? ` -- ${args}` : ''}\`; each cell is the median of ${opt.repeats} samples, taken in turn (${impls.map((i) => i.id).join(', ')}) within every repeat.`);
  if (ctx.batchDir) n.push(`Data: CIFAR-10 batch files in ${ctx.batchDir}.`);
  else {
    const skipped = opt.only.filter((id) => WORKLOADS.find((w) => w.id === id).needsData);
    const random = opt.only.filter((id) => !skipped.includes(id));
    const list = (ids) => `workload${ids.length > 1 ? 's' : ''} ${ids.join(', ')}`;
    const parts = [];
    if (random.length) parts.push(`${list(random)} ran on random pixels of the real shape (50,000 + 10,000 images)`);
    if (skipped.length) parts.push(`${list(skipped)} skipped: ${skipped.length > 1 ? 'they need' : 'it needs'} the real files`);
    n.push(`Data: no CIFAR-10 batch files under ${dataDir} (give --data DIR or set LINTRAIN_DATA): ${parts.join('; ')}.`);
  }
  if (!numpy.ok) n.push(`numpy baseline skipped: ${numpy.reason}. Only lintrain was timed; no ratios.`);
  else n.push(`numpy: ${numpy.blas}; python ran with OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset. Textbook code: X float N×3073 (mean subtracted, bias column), W 3073×10.`);
  if (opt.only.includes(1)) n.push(`SGD step: time of ${opt.steps} steps after ${lt.warmupSteps(opt.steps)} warm-up steps, divided by ${opt.steps}, per sample.`);
  if (opt.only.includes(3)) {
    const js = opt.backends.includes('js') ? `; lintrain js ran ${opt.jsTries}` : '';
    n.push(`Random search: lintrain wasm and numpy ran ${opt.tries} tries per sample${js}${opt.tries < 1000 || js ? '; times scaled linearly to 1,000 tries' : ''}.`);
  }
  const e2e = samples.e2e;
  if (e2e) {
    const acc = Object.entries(e2e).map(([id, m]) => `${id} train ${fmt(median(m.train_acc ?? []))} / val ${fmt(median(m.val_acc ?? []))}`);
    n.push(`End to end: wall time from spawn to exit, peak RSS by ${rssMethod()}; accuracies ${acc.join(', ')}. ` +
      'lintrain also scores the 10,000 test images, numpy stops at train/val accuracy. Target for wall time: faster than the best baseline.');
    const iters = [...new Set(['wasm', 'js'].flatMap((id) => e2e[id]?.iters ?? []))];
    if (iters.some((i) => i !== 1500)) n.push(`WARNING: lintrain's e2e ran ${iters.join('/')} iterations, not 1,500 (its default changed?).`);
  }
  return n;
}

await main();
