#!/usr/bin/env node
/**
 * `npm run bench`: lintrain (the built dist/: --backend wasm, the default; wasm-fma, the
 * opt-in fused build; js, the reference) beside numpy on six workloads, every
 * implementation taken in turn within each repeat, medians in a Markdown table with the
 * ratio of lintrain's default to the fastest numpy variant of each workload, and the
 * targets. numpy runs the textbook code (bench/numpy_baseline.py) in float32 and float64,
 * random search also scoring 16 candidates per matrix product, and the Coates et al.
 * pipeline as a port of the authors' code (bench/coates_numpy.py), one image at a time
 * and batched. The machine's 128-bit SIMD peak is measured first (bench/peak.mjs), so
 * that each kernel's multiply-adds per second can be read against it.
 *
 *   node bench/bench.mjs [--data DIR] [--repeats N] [--quick] [--backend LIST]
 *                        [--only 1,2,...] [--tries N] [--js-tries N] [--steps N]
 *                        [--threads N] [--python CMD] [--settle S]
 */
import fs from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import * as lt from './lintrain_side.mjs';
import { describeBlas, kmeansSample, numpyInfo, numpySample } from './numpy_side.mjs';
import { simdPeak } from './peak.mjs';
import { fmt, machine, median, pairedRatios, table, variantTable } from './report.mjs';
import { rssMethod } from './spawn.mjs';
import { settle, watchOthers } from './contention.mjs';

const D = 3072;
const C = 10;
/** Multiply-adds of each kernel call, for the rate against the SIMD peak. */
const MACS = {
  sgdStep: 2 * 200 * D * C, // scores and gradient of a minibatch
  fullPass: 2 * 49000 * D * C,
  randomTry: 49000 * D * C, // scores only
};

const np = (dtype, extra = {}) => ({ kind: 'numpy', dtype, ...extra });
const NUMPY = { f32: np('float32'), f64: np('float64') };

const WORKLOADS = [
  {
    id: 1,
    key: 'sgd-step',
    numpy: NUMPY,
    rows: [
      { metric: 'svm', label: '1. SGD step, batch 200, svm', unit: 'ms', target: { kind: 'ratio', max: 0.6 } },
      { metric: 'softmax', label: '1. SGD step, batch 200, softmax', unit: 'ms', target: { kind: 'ratio', max: 0.6 } },
    ],
  },
  {
    id: 2,
    key: 'full-pass',
    numpy: NUMPY,
    rows: [{ metric: 'svm', label: '2. full pass, svm loss + grad, 49,000 rows', unit: 'ms', target: { kind: 'ratio', max: 0.5 } }],
  },
  {
    id: 3,
    key: 'random-search',
    numpy: { ...NUMPY, 'f32 ×16': np('float32', { batch: 16 }), 'f64 ×16': np('float64', { batch: 16 }) },
    rows: [{ metric: 'svm', label: '3. random search, 1,000 tries', unit: 's', target: null }],
  },
  {
    id: 4,
    key: 'load',
    needsData: true,
    numpy: NUMPY,
    rows: [{ metric: 'load', label: '4. load + preprocess, 6 batch files', unit: 'ms', target: { kind: 'ratio', max: 0.5 } }],
  },
  {
    id: 5,
    key: 'e2e',
    needsData: true,
    numpy: { f32: NUMPY.f32, f64: NUMPY.f64 },
    rows: [
      { metric: 'wall', label: '5. end to end, svm sgd 1,500 it., pictures on', unit: 's', target: { kind: 'ratio', max: 0.5 } },
      { metric: 'wallNoPlots', label: '5. end to end, --no-plots', unit: 's', numpyMetric: 'wall', target: null },
      { metric: 'peak_rss', label: '5. end to end, peak RSS (pictures on)', unit: 'MB', target: { kind: 'abs', max: 350 } },
    ],
  },
  {
    id: 6,
    key: 'kmeans',
    needsData: true,
    numpy: {
      'f32 batched': { kind: 'coates', dtype: 'float32', variant: 'batched' },
      'f64 batched': { kind: 'coates', dtype: 'float64', variant: 'batched' },
      'f32 loop': { kind: 'coates', dtype: 'float32', variant: 'loop' },
    },
    rows: [
      {
        metric: 'total',
        label: `6. k-means pipeline (K ${lt.KMEANS.centroids}, ${lt.KMEANS.patches / 1000}k patches, ${lt.KMEANS.iters} it., ${lt.KMEANS.images / 1000}k images)`,
        unit: 's',
        target: { kind: 'ratio', max: 0.5 },
      },
      { metric: 'extract', label: '6. … of which feature extraction', unit: 's', target: null },
    ],
  },
];

const USAGE = `usage: npm run bench -- [options]
  --data DIR        CIFAR-10 batch dir or its parent (default: $LINTRAIN_DATA, else data/)
  --repeats N       samples per implementation and workload (default 5; --quick 3)
  --quick           fewer repeats, steps and tries (a few minutes instead of most of an hour)
  --backend LIST    lintrain backends, comma-separated: wasm, wasm-fma, js (default all three)
  --only LIST       workloads to run, e.g. 1,2 (default 1,2,3,4,5,6)
  --tries N         random-search tries for wasm and numpy (default 1000; --quick 50), scaled to 1,000
  --js-tries N      random-search tries for the js backend (default 16), scaled to 1,000
  --steps N         SGD steps per sample (default 200; --quick 50)
  --threads N       lintrain worker threads (default all cores)
  --python CMD      python with numpy (default python3)
  --settle S        before each sample, wait up to S s for other processes to go quiet (default 30; 0: never)`;

function options() {
  const { values } = parseArgs({
    options: {
      data: { type: 'string' },
      repeats: { type: 'string' },
      quick: { type: 'boolean', default: false },
      backend: { type: 'string', default: 'wasm,wasm-fma,js' },
      only: { type: 'string' },
      tries: { type: 'string' },
      'js-tries': { type: 'string' },
      steps: { type: 'string' },
      threads: { type: 'string' },
      python: { type: 'string', default: 'python3' },
      settle: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
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
  const backends = values.backend === 'both' ? ['wasm', 'js'] : values.backend.split(',').map((s) => s.trim());
  if (backends.length === 0 || backends.some((b) => !['js', 'wasm', 'wasm-fma'].includes(b))) {
    fail(`--backend takes wasm, wasm-fma and js, comma-separated; got ${values.backend}`);
  }
  const only = values.only ? values.only.split(',').map((s) => Number(s.trim())) : WORKLOADS.map((w) => w.id);
  if (only.some((n) => !WORKLOADS.some((w) => w.id === n)))
    fail(`--only takes workload numbers 1..${WORKLOADS.length}, comma-separated; got ${values.only}`);
  const q = values.quick;
  const tries = int('tries', values.tries, q ? 50 : 1000);
  return {
    data: values.data,
    python: values.python,
    only,
    backends,
    repeats: int('repeats', values.repeats, q ? 3 : 5),
    steps: int('steps', values.steps, q ? 50 : 200),
    tries,
    jsTries: Math.min(tries, int('js-tries', values['js-tries'], 16)),
    settle: values.settle === '0' ? 0 : int('settle', values.settle, 30),
    threads: int('threads', values.threads, Math.min(os.availableParallelism(), 64)),
    threadsGiven: values.threads !== undefined,
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

  log('measuring the 128-bit SIMD peak (bench/peak.mjs)');
  const peak = await simdPeak();
  const notes = [];
  const samples = {}; // workload key → impl id → metric → [values]
  const failed = new Set();
  const others = []; // share of the CPU other processes took during each sample

  const lintrainSample = (w, backend) => {
    switch (w.key) {
      case 'sgd-step':
        return lt.sgdStep(api, ctx, backend);
      case 'full-pass':
        return lt.fullPass(api, ctx, backend);
      case 'random-search':
        return lt.randomSearch(api, ctx, backend, backend === 'js' ? opt.jsTries : opt.tries);
      case 'load':
        return lt.load(api, ctx, backend);
      case 'e2e':
        return { ...lt.e2e(ctx, backend, true), wallNoPlots: lt.e2e(ctx, backend, false).wall };
      case 'kmeans':
        return lt.kmeansPipeline(api, ctx, backend);
    }
  };
  const numpySampleOf = (w, v) => {
    if (v.kind === 'coates') return kmeansSample(opt.python, { ...v, batchDir, ...lt.KMEANS });
    const out = numpySample(opt.python, w.key, { dtype: v.dtype, batchDir, steps: opt.steps, tries: opt.tries, batch: v.batch });
    const res = Object.fromEntries(Object.entries(out.metrics).map(([k, m]) => [k, m.median]));
    if (w.key === 'e2e') res.wallNoPlots = res.wall; // numpy draws no pictures: one figure for both rows
    return res;
  };

  for (const w of WORKLOADS.filter((x) => opt.only.includes(x.id))) {
    if (w.needsData && !batchDir) continue;
    // the k-means pipeline in plain TypeScript takes hours: js is left out of it
    const mine = opt.backends.filter((b) => !(w.key === 'kmeans' && b === 'js') && !(w.key === 'kmeans' && b === 'wasm-fma'));
    const impls = [
      ...mine.map((b) => ({ id: b, kind: 'lintrain' })),
      ...(numpy.ok ? Object.entries(w.numpy).map(([id, v]) => ({ id, ...v })) : []),
    ];
    samples[w.key] = {};
    for (let r = 1; r <= opt.repeats; r++) {
      for (const impl of impls) {
        const tag = `${w.key}/${impl.id}`;
        if (failed.has(tag)) continue;
        try {
          if (opt.settle > 0) await settle(opt.settle);
          const stop = watchOthers();
          const res = impl.kind === 'lintrain' ? await lintrainSample(w, impl.id) : numpySampleOf(w, impl);
          const share = stop();
          if (share != null) others.push(share);
          samples[w.key][impl.id] ??= {};
          const got = samples[w.key][impl.id];
          for (const [k, v] of Object.entries(res)) {
            if (typeof v !== 'number') continue;
            got[k] ??= [];
            got[k].push(v);
          }
          const busy = share != null && share > 0.05 ? ` (others took ${Math.round(share * 100)}% of the CPU)` : '';
          log(
            `${w.id} ${w.key} repeat ${r}/${opt.repeats} ${impl.id}: ${w.rows.map((row) => `${row.metric} ${fmt(res[row.metric])} ${row.unit}`).join(', ')}${busy}`,
          );
        } catch (e) {
          failed.add(tag);
          notes.push(`${tag} failed and was left out: ${e.message.split('\n')[0]}`);
          log(`${tag} failed: ${e.message}`);
        }
      }
    }
  }

  const rows = [];
  const variants = [];
  for (const w of WORKLOADS.filter((x) => opt.only.includes(x.id) && samples[x.key])) {
    for (const row of w.rows) {
      const of = (id, metric = row.metric) => median(samples[w.key][id]?.[metric] ?? []);
      const numpyValues = Object.fromEntries(Object.keys(w.numpy).map((id) => [id, of(id, row.numpyMetric ?? row.metric)]));
      const best =
        Object.entries(numpyValues)
          .filter(([, v]) => v != null)
          .sort((a, b) => a[1] - b[1])[0] ?? null;
      const ratios = best ? pairedRatios(samples[w.key].wasm?.[row.metric], samples[w.key][best[0]]?.[row.numpyMetric ?? row.metric]) : [];
      rows.push({ ...row, values: { wasm: of('wasm'), 'wasm-fma': of('wasm-fma'), js: of('js') }, best, ratios });
      variants.push({ label: row.label, unit: row.unit, values: numpyValues });
    }
  }

  notes.unshift(...describeRun(opt, ctx, dataDir, numpy, samples, peak));
  if (others.length) {
    const worst = Math.max(...others);
    const busy = others.filter((x) => x > 0.1).length;
    notes.push(
      busy
        ? `WARNING: other processes took over 10% of the CPU during ${busy} of ${others.length} samples (up to ${Math.round(worst * 100)}%): the figures are inflated and the ratios unreliable; rerun on a quiet machine.`
        : `Other processes took at most ${Math.round(worst * 100)}% of the CPU during any sample.`,
    );
  }
  const header = machine(numpy, opt.threads);
  const text = [
    ...header.map((l) => `${l}  `),
    '',
    rows.length ? table(rows) : '(no workload ran)',
    '',
    'numpy variants (medians; the best of each row is the one compared):',
    '',
    variants.length ? variantTable(variants) : '(none)',
    '',
    ...peakLines(peak, samples, opt),
    '',
    ...notes.map((n) => `- ${n}`),
    '',
  ].join('\n');
  process.stdout.write(`\n${text}`);
  const dir = new URL('./results/', import.meta.url);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(new URL('latest.md', dir), `# lintrain benchmark, ${new Date().toISOString()}\n\n${text}`);
  fs.writeFileSync(
    new URL('latest.json', dir),
    JSON.stringify({ date: new Date().toISOString(), options: opt, batchDir, numpy, peak, rows, variants, samples, others }, null, 2),
  );
  log('written to bench/results/latest.md and latest.json');
}

/** How close the kernels come to the 128-bit peak: multiply-adds per second per core, over the peak of their build. */
function peakLines(peak, samples, opt) {
  if (!peak.plain?.perCore) return [`SIMD peak: not measured (${peak.plain?.error ?? 'unknown error'}).`];
  const cores = Math.min(opt.threads, os.availableParallelism());
  const lines = [
    `128-bit SIMD peak, float32 multiply-adds (bench/peak.mjs, 12 accumulators, no memory): ` +
      `plain (multiply, add) ${fmt(peak.plain.perCore)} G/s per core, ${fmt(peak.plain.allCores)} G/s on all ${os.availableParallelism()} cores; ` +
      (peak.fused?.perCore
        ? `fused ${fmt(peak.fused.perCore)} G/s per core, ${fmt(peak.fused.allCores)} G/s on all cores.`
        : `fused: ${peak.fused?.error ?? 'not measured'}.`),
    '',
    '| kernel (lintrain) | multiply-adds | wasm: G/s per core | of plain peak | wasm-fma: G/s per core | of fused peak |',
    '|---|---:|---:|---:|---:|---:|',
  ];
  const rate = (key, id, metric, macs, unitToS) => {
    const v = median(samples[key]?.[id]?.[metric] ?? []);
    return v == null ? null : macs / (v * unitToS) / cores / 1e9;
  };
  const kernels = [
    ['random search: scores of 16 candidates per pass', 'random-search', 'svm', MACS.randomTry * 1000, 1],
    ['full pass: scores + SVM gradient (integer)', 'full-pass', 'svm', MACS.fullPass, 1e-3],
    ['SGD step (svm), the whole step', 'sgd-step', 'svm', MACS.sgdStep, 1e-3],
    ['SGD step (softmax), the whole step', 'sgd-step', 'softmax', MACS.sgdStep, 1e-3],
  ];
  for (const [label, key, metric, macs, unit] of kernels) {
    if (!samples[key]) continue;
    const a = rate(key, 'wasm', metric, macs, unit);
    const b = rate(key, 'wasm-fma', metric, macs, unit);
    const pc = (x, p) => (x == null || !p ? '–' : `${Math.round((100 * x) / p)}%`);
    lines.push(
      `| ${label} | ${fmt(macs / 1e9)} G | ${fmt(a)} | ${pc(a, peak.plain.perCore)} | ${fmt(b)} | ${pc(b, peak.fused?.perCore)} |`,
    );
  }
  lines.push(
    '',
    `Rates are per core over ${cores} threads; the SVM gradient is summed in 16-bit integer dot products (8 multiply-adds per instruction), so the full pass and the SVM step can pass 100% of the float peak.`,
  );
  // The k-means extraction is, as written, one product of every patch's 108 bytes with
  // 112 + K 16-bit filters (assembly-features/triangle.ts); its ceiling is the int16 peak,
  // not the float one. The kernel runs fewer multiply-adds than that (Winograd's F(2, 3),
  // and the triangular whitening filters' zeros skipped), so the rate is an effective one.
  const ext = median(samples.kmeans?.wasm?.extract ?? []);
  if (ext != null) {
    const filters = 112 + Math.ceil(lt.KMEANS.centroids / 8) * 8;
    const macs = lt.KMEANS.images * 27 * 27 * filters * 108;
    const r = macs / ext / cores / 1e9;
    const p16 = peak.int16?.perCore;
    lines.push(
      '',
      `16-bit integer peak (i32x4.dot_i16x8_s): ${p16 ? `${fmt(p16)} G/s per core, ${fmt(peak.int16.allCores)} G/s on all cores` : (peak.int16?.error ?? 'not measured')}. ` +
        `k-means extraction (${lt.KMEANS.images} images × 729 patches × ${filters} filters × 108 taps = ${fmt(macs / 1e9)} G multiply-adds as a direct product; the kernel runs them as Winograd's F(2, 3), 2/3 of the products, and skips the whitening filters' zeros; ` +
        `the triangle activation and pooling included): ${fmt(r)} G/s per core effective${p16 ? `, ${Math.round((100 * r) / p16)}% of the int16 peak` : ''}.`,
    );
  }
  return lines;
}

/** The plain facts a reader needs to trust the table. */
function describeRun(opt, ctx, dataDir, numpy, samples, peak) {
  const n = [];
  const args = process.argv.slice(2).join(' ');
  n.push(
    `Command: \`npm run bench${args ? ` -- ${args}` : ''}\`; each cell is the median of ${opt.repeats} samples, every implementation taken in turn within each repeat. In brackets after a ratio: the range of the repeats' own ratios (each repeat's lintrain sample over the same repeat's sample of that numpy variant); after a verdict: how many repeats met the target.`,
  );
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
  else
    n.push(
      `numpy: ${numpy.blas}; python ran with OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset. "best numpy" is the fastest numpy variant of each row; the ratio is lintrain's default (wasm) over it.`,
    );
  if (opt.only.includes(1))
    n.push(
      `SGD step: a training step as the trainer takes it (minibatch, loss and gradient, update, divergence checks, the iteration's event to the run folder's recorder), ${opt.steps} steps after ${lt.warmupSteps(opt.steps)} warm-up steps; numpy: the assignment's loop (np.random.choice, loss, W -= lr·dW), as many steps.`,
    );
  if (opt.only.includes(3)) {
    const js = opt.backends.includes('js') ? `; lintrain js ran ${opt.jsTries}` : '';
    n.push(
      `Random search: lintrain and numpy ran ${opt.tries} tries per sample${js}${opt.tries < 1000 || js ? '; times scaled linearly to 1,000 tries' : ''}. numpy f32/f64: the notes' loop, one try per matrix product; ×16: 16 candidates per product, X·[W1ᵀ … W16ᵀ]. lintrain scores 16 per pass over the data.`,
    );
  }
  const e2e = samples.e2e;
  if (e2e) {
    const acc = Object.entries(e2e).map(
      ([id, m]) =>
        `${id} train ${fmt(median(m.train_acc ?? []))} / val ${fmt(median(m.val_acc ?? []))} / test ${fmt(median(m.test_acc ?? []))}`,
    );
    n.push(
      `End to end: wall time from spawn to exit, peak RSS by ${rssMethod()}; lintrain's default run writes its run folder (config, metrics, model, summary and, pictures on, 7 pictures); numpy loads, trains, and scores the same three splits. Accuracies: ${acc.join(', ')}.`,
    );
    const iters = [...new Set(['wasm', 'wasm-fma', 'js'].flatMap((id) => e2e[id]?.iters ?? []))];
    if (iters.some((i) => i !== 1500))
      n.push(`WARNING: lintrain's e2e ran ${iters.join('/')} iterations, not 1,500 (its default changed?).`);
  }
  if (samples.kmeans) {
    const k = lt.KMEANS;
    n.push(
      `k-means pipeline: K = ${k.centroids}, ${k.patches} patches, ${k.iters} k-means iterations, features of ${k.images} images, standardized; loading not timed. numpy: bench/coates_numpy.py, a port of Coates et al.'s kmeans_demo.m, run_kmeans.m and extract_features.m, one image at a time (loop) as theirs, or blocks of images per matrix product (batched). lintrain js is left out (hours).`,
    );
  }
  if (peak.fused && !peak.fused.perCore) n.push(`The fused probe did not run: ${peak.fused.error}`);
  return n;
}

await main();
