/**
 * What each config key means, in one place: `lintrain <command> --help` (cli/options.ts)
 * and the flag table of docs/usage.md (flagTable, written by `npm run docs` and checked
 * by test/docs.test.ts) both come from here, with DEFAULTS and CONSTRAINTS beside it.
 */
import { MAX_THREADS } from '../kernels/threads.js';
import { CONFIG_KEYS, CONSTRAINTS, type ConfigKey, DEFAULTS, flagOf } from './schema.js';

/** One short line per key, for --help: what it does, naming the values of a choice. */
export const HELP: Record<ConfigKey, string> = {
  loss: "data loss: svm, svm2 (squared hinge), softmax or ova2 (one-vs-all squared hinge, Coates et al.'s L2-SVM)",
  delta: 'SVM margin Δ',
  regType: 'penalty on W: l2, l1, elastic or none',
  reg: 'regularization strength',
  l1Ratio: 'elastic net: ρ, the share of the L1 term',
  regBias: 'regularize the bias column too',
  opt: 'random-search, random-local, gd, sgd, momentum, nesterov, adagrad, rmsprop, adam or lbfgs',
  lr: 'learning rate',
  lrDecay: 'multiply the learning rate by this every epoch',
  lrStep: 'decay every N iterations instead (0: per epoch)',
  iters: 'iterations (searches: tries, default 1000)',
  batchSize: 'minibatch size',
  sample: 'minibatches: replacement or epoch (shuffled)',
  initScale: 'initial W ~ N(0,1)·scale',
  stepSize: 'random-local: W + N(0,1)·step per try',
  momentum: 'momentum / nesterov coefficient μ',
  decayRate: 'rmsprop: decay of the squared-gradient cache',
  beta1: 'adam: first-moment decay',
  beta2: 'adam: second-moment decay',
  eps: 'adagrad / rmsprop / adam: ε in the denominator',
  lbfgsMemory: 'lbfgs: (s, y) pairs remembered, m',
  tol: 'lbfgs: stop when ‖∇L‖ ≤ tol·‖∇L at the start‖',
  numTrain: 'training images: the first N records',
  numVal: 'validation images: the last N training records',
  numTest: 'test images, from test_batch',
  numDev: 'dev subset of train for gradient checks',
  evalEvery: 'validation every N iterations (0: at the end)',
  seed: 'the same seed and flags give the same run, bit for bit',
  backend: 'kernels: wasm (SIMD), wasm-fma (fused, opt-in) or js',
  threads: 'worker threads of the wasm kernels',
  data: 'data directory (env LINTRAIN_DATA; default data/)',
  download: 'download CIFAR-10 when it is missing',
  logFormat: 'pretty (for people) or json (lines for scripts)',
  quiet: 'no progress bar or summary',
  minValAcc: 'exit 3 when the validation accuracy is below this',
  save: 'also write the trained model to FILE',
  out: 'the run folder (default: runs/<date>-<time>-<loss>-<opt>/)',
  plots: 'draw the pictures into the run folder',
  experiment: 'train, or step-size: one gradient step at 1e-7…1e-1',
  features: 'what W sees: pixels, hog-color or kmeans',
  centroids: 'kmeans: centroids K (4K features)',
  kmeansPatches: 'kmeans: training patches k-means learns from',
  kmeansIters: 'kmeans: k-means (Lloyd) iterations',
  featuresFile: 'train on features from `lintrain features extract`',
};

/** What the short line leaves out, for the docs' table (docs/usage.md). */
export const DETAILS: Partial<Record<ConfigKey, string>> = {
  loss: 'multiclass hinge (Weston–Watkins), its square, cross-entropy, or the one-vs-all squared hinge Σ_j max(0, Δ − y_ij·s_j)² with y_ij = ±1',
  regType: 'L2: reg·ΣW² (gradient 2·reg·W); L1: reg·Σ|W|; elastic: reg·(ρ·Σ|W| + (1−ρ)·ΣW²)',
  regBias: 'the lecture advises not to',
  opt: 'gd is full-batch gradient descent; lbfgs is full-batch L-BFGS with a strong-Wolfe line search (differentiable losses only: softmax, svm2, ova2; l2 or no penalty); the searches score the whole training set',
  tol: 'the 2-norm of the full-batch gradient, relative to its norm at the initial W; lbfgs also stops when its line search finds no lower loss ([converged solvers](lecture.md#converged-solvers-l-bfgs))',
  lrDecay: 'an epoch is max(N/batch, 1) iterations, as in the assignment',
  sample: 'with replacement, as the assignment draws them, or shuffled epochs without',
  initScale: 'random-local defaults to 1e-3',
  backend:
    'wasm: WebAssembly SIMD kernels on threads, the same W bytes on every machine; wasm-fma: their fused multiply-add build, opt-in (the last bits depend on the CPU; where it cannot fuse, the plain kernels run, with a warning); js: the plain TypeScript reference',
  threads: 'a setting of the machine, not of the run: the results never depend on it, and a run does not save it',
  data: 'the folder with the batch files or with cifar-10-batches-bin/',
  logFormat: 'json: one JSON object per line on stdout, everything for people on stderr ([scripting.md](scripting.md))',
  minValAcc: 'a CI gate; the run folder is complete either way',
  save: 'written atomically; an extra copy (the run folder always has model.json); pixel models only',
  out: "config, metrics, model, summary, pictures, and a stopped run's checkpoint ([run folders](run-folders.md)); refused when it already holds a run",
  features: 'HOG + hue histogram, or k-means features (Coates et al. 2011): [features](features.md)',
  featuresFile: 'no extraction, and no CIFAR-10 needed',
};

/** What a boolean flag whose default is on does when negated: the help lists --no-download. */
export const NEGATED: Partial<Record<ConfigKey, string>> = {
  download: 'fail instead of downloading CIFAR-10 when it is missing',
  plots: 'no pictures in the run folder (config, metrics, model and summary only)',
};

/** The help's sections, in order; each key is in exactly one. */
export const GROUPS: readonly [string, readonly ConfigKey[]][] = [
  ['Loss and regularization', ['loss', 'delta', 'regType', 'reg', 'l1Ratio', 'regBias']],
  [
    'Optimizer',
    [
      'opt',
      'lr',
      'lrDecay',
      'lrStep',
      'iters',
      'batchSize',
      'sample',
      'initScale',
      'stepSize',
      'momentum',
      'decayRate',
      'beta1',
      'beta2',
      'eps',
      'lbfgsMemory',
      'tol',
      'seed',
    ],
  ],
  ['Data', ['data', 'download', 'numTrain', 'numVal', 'numTest', 'numDev']],
  ['Features', ['features', 'centroids', 'kmeansPatches', 'kmeansIters', 'featuresFile']],
  ['Output', ['logFormat', 'quiet', 'evalEvery', 'minValAcc', 'save', 'out', 'plots', 'experiment']],
  ['Execution (never changes the results)', ['backend', 'threads']],
];

export const groupOf = (key: ConfigKey): string => GROUPS.find(([, keys]) => keys.includes(key))![0];

/** A key's default as people read it, or null when it has none (an unset path, no gate). */
export function defaultText(key: ConfigKey): string | null {
  const def = DEFAULTS[key];
  if (key === 'threads') return `all cores, at most ${MAX_THREADS}`;
  if (def === null) return null;
  if (typeof def === 'boolean') return def ? 'on' : 'off';
  return String(def);
}

/** The placeholder after a flag: <n> (a whole number), <x> (a number), <dir>, <file>, <name>. */
export function argOf(key: ConfigKey): string {
  const c = CONSTRAINTS[key];
  if (c.kind === 'string') return key === 'data' || key === 'out' ? '<dir>' : '<file>';
  return c.kind === 'number' ? (c.int ? '<n>' : '<x>') : c.kind === 'choice' ? '<name>' : '';
}

/** The allowed values, short: a choice's names, a number's range. */
function allowedText(key: ConfigKey): string {
  const c = CONSTRAINTS[key];
  switch (c.kind) {
    case 'choice':
      return c.values.join(', ');
    case 'boolean':
      return 'true, false';
    case 'string':
      return 'a path';
    case 'number': {
      const lo = c.min === undefined ? '(−∞' : `${c.minOpen ? '(' : '['}${c.min}`;
      const hi = c.max === undefined ? '∞)' : `${c.max === 2 ** 32 - 1 ? '2³²−1' : c.max}${c.maxOpen ? ')' : ']'}`;
      return `${c.int ? 'integer ' : ''}${lo}, ${hi}`;
    }
  }
}

const cell = (text: string) => text.replace(/\|/g, '\\|');

/**
 * docs/usage.md's table of every config key: its flag (a boolean that is on by default
 * is shown as its --no- form), its config-file key, default, allowed values and meaning,
 * grouped as in the help.
 */
export function flagTable(): string {
  const rows = ['| flag | config key | default | allowed | what it does |', '|---|---|---|---|---|'];
  for (const [group, keys] of GROUPS) {
    rows.push(`| **${group}** | | | | |`);
    for (const key of keys) {
      const on = DEFAULTS[key] === true;
      const flag = on ? `--no-${flagOf(key).slice(2)}` : `${flagOf(key)} ${argOf(key)}`.trim();
      const what = (on ? `${NEGATED[key]} (the key: ${HELP[key]})` : HELP[key]) + (DETAILS[key] ? `; ${DETAILS[key]}` : '');
      rows.push(`| \`${cell(flag)}\` | \`${key}\` | ${defaultText(key) ?? '–'} | ${cell(allowedText(key))} | ${cell(what)} |`);
    }
  }
  if (rows.length !== 2 + GROUPS.length + CONFIG_KEYS.length) throw new Error('config/help.ts: a key is missing from GROUPS');
  return rows.join('\n');
}
