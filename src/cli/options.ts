/**
 * The training flags: one row per config key, so every key has exactly one flag
 * (--num-train for numTrain) and help text that shows its default. Values are
 * parsed here and validated once, with the config file, by resolveConfig.
 */
import { type Command, InvalidArgumentError, Option } from 'commander';
import { CONFIG_KEYS, CONSTRAINTS, type Config, type ConfigKey, DEFAULTS, flagOf, isConfigKey } from '../config/schema.js';
import { UsageError } from '../core/errors.js';
import { MAX_THREADS } from '../kernels/threads.js';
import { colours } from '../report/pretty.js';
import { stdoutEvents } from './events.js';

const HELP: Record<ConfigKey, string> = {
  loss: 'data loss: svm (multiclass hinge), svm2 (squared hinge), softmax (cross-entropy)',
  delta: 'SVM margin Δ',
  regType: 'regularization: l2 (reg·ΣW²), l1 (reg·Σ|W|), elastic, none',
  reg: 'regularization strength',
  l1Ratio: 'elastic net: share of the L1 term',
  regBias: 'regularize the bias column too',
  opt: 'optimizer: random-search, random-local, gd, sgd, momentum, nesterov, adagrad, rmsprop, adam',
  lr: 'learning rate',
  lrDecay: 'multiply the learning rate by this every epoch (or every --lr-step iterations)',
  lrStep: 'step schedule: decay every N iterations instead of every epoch (0: per epoch)',
  iters: 'iterations (random search: tries); search methods default to 1000',
  batchSize: 'minibatch size',
  sample: 'minibatches drawn with replacement, or shuffled epochs',
  initScale: 'initial W ~ N(0,1)·scale (random-local defaults to 1e-3)',
  stepSize: 'random local search: size of each random step',
  momentum: 'momentum / nesterov coefficient μ',
  decayRate: 'rmsprop: decay of the squared-gradient cache',
  beta1: 'adam: first-moment decay',
  beta2: 'adam: second-moment decay',
  eps: 'adagrad / rmsprop / adam: ε in the denominator',
  numTrain: 'training images (the first N training records)',
  numVal: 'validation images (the last N training records)',
  numTest: 'test images (from test_batch)',
  numDev: 'dev subset of train for gradient checks',
  evalEvery: 'validation accuracy every N iterations (0: only at the end)',
  seed: 'random seed: the same seed and flags give the same run, bit for bit',
  backend:
    'kernels: wasm (SIMD, threads; the same bits on every machine), wasm-fma (fused multiply-add where the CPU has it; bits depend on the CPU) or js (reference)',
  threads: 'worker threads of the wasm kernels; never changes the results',
  data: 'data directory: holds the batch files or cifar-10-batches-bin/ (env LINTRAIN_DATA; default data/)',
  download: 'download CIFAR-10 when it is missing (--no-download: fail instead)',
  logFormat: 'pretty (progress bar) or json (one JSON object per line on stdout)',
  quiet: 'no progress bar or summary',
  minValAcc: 'exit with code 3 when the final validation accuracy is below this',
  save: 'write the trained model to FILE (an extra copy; the run folder always has model.json)',
  out: 'run folder: config, metrics, model, summary, pictures, and the checkpoint of a stopped run (default: runs/<date>-<time>-<loss>-<opt>/)',
  plots: 'draw the pictures into the run folder (--no-plots: none)',
  experiment: 'train (the default), or step-size: one gradient step at sizes 1e-7…1e-1, loss after each',
  features: 'what the classifier sees: pixels, hog-color (HOG + hue histogram) or kmeans (Coates et al. 2011)',
  centroids: 'kmeans features: number of centroids K (4K features)',
  kmeansPatches: 'kmeans features: random training patches k-means learns from',
  kmeansIters: 'kmeans features: k-means iterations',
  featuresFile: 'train on features stored by `lintrain features extract` (no extraction, no CIFAR-10 needed)',
};

/**
 * What a boolean flag whose default is on does when negated: the help lists
 * `--no-download`, so its line says what --no-download does.
 */
const NEGATED: Partial<Record<ConfigKey, string>> = {
  download: 'fail instead of downloading CIFAR-10 when it is missing',
  plots: 'no pictures in the run folder (config, metrics, model and summary only)',
};

/** The help's sections, in order; a key's flag is listed under its group. */
const GROUPS: [string, ConfigKey[]][] = [
  ['Loss and regularization:', ['loss', 'delta', 'regType', 'reg', 'l1Ratio', 'regBias']],
  [
    'Optimizer:',
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
      'seed',
    ],
  ],
  ['Data:', ['data', 'download', 'numTrain', 'numVal', 'numTest', 'numDev']],
  ['Features:', ['features', 'centroids', 'kmeansPatches', 'kmeansIters', 'featuresFile']],
  ['Output:', ['logFormat', 'quiet', 'evalEvery', 'minValAcc', 'save', 'out', 'plots', 'experiment']],
  ['Execution (never changes the results):', ['backend', 'threads']],
];
const groupOf = (key: ConfigKey): string => GROUPS.find(([, keys]) => keys.includes(key))![0];

function parseNumber(key: ConfigKey) {
  return (text: string): number => {
    const v = Number(text);
    if (text.trim() === '' || !Number.isFinite(v)) {
      throw new InvalidArgumentError(`${flagOf(key)} takes a number, got '${text}'.`);
    }
    return v;
  };
}

/** The config keys each command takes as flags (givenFlags reads only these). */
const configKeysOf = new WeakMap<Command, Set<ConfigKey>>();

/**
 * Add one flag per config key, except those a command does not take. `hidden` keys
 * are taken but not listed: the command refuses them with a message that says why.
 */
export function addConfigOptions(cmd: Command, keys: readonly ConfigKey[] = CONFIG_KEYS, hidden: readonly ConfigKey[] = []): Command {
  cmd.option('--config <file>', 'JSON config file (defaults < file < flags)');
  for (const key of [...keys, ...hidden]) {
    const c = CONSTRAINTS[key];
    const def = DEFAULTS[key];
    const flag = flagOf(key);
    let opt: Option;
    if (c.kind === 'boolean') {
      opt = new Option(def ? `--no-${flag.slice(2)}` : flag, def ? NEGATED[key]! : HELP[key]);
    } else {
      const arg = c.kind === 'number' ? (c.int ? '<n>' : '<x>') : c.kind === 'string' ? '<path>' : '<name>';
      const shown = def === null ? '' : ` (default: ${key === 'threads' ? `${def}, all cores up to ${MAX_THREADS}` : def})`;
      opt = new Option(`${flag} ${arg}`, HELP[key] + shown);
      if (c.kind === 'choice') opt.choices(c.values);
      if (c.kind === 'number') opt.argParser(parseNumber(key));
    }
    cmd.addOption(opt.helpGroup(groupOf(key)).hideHelp(hidden.includes(key)));
  }
  configKeysOf.set(cmd, new Set([...keys, ...hidden]));
  return cmd;
}

/**
 * The config values given on the command line, so a config file's values survive;
 * a command's own options (--checks, --model, features extract's --save …) are not.
 */
export function givenFlags(cmd: Command): Partial<Config> {
  const out: Record<string, unknown> = {};
  const opts = cmd.opts();
  const keys = configKeysOf.get(cmd) ?? new Set();
  for (const key of Object.keys(opts)) {
    if (isConfigKey(key) && keys.has(key) && cmd.getOptionValueSource(key) === 'cli') out[key] = opts[key];
  }
  return out as Partial<Config>;
}

/** How main runs a command's action: the action's exit code becomes the process's. */
export type Act = (action: (cmd: Command) => Promise<number>, cmd: Command) => Promise<void>;

export function positiveInt(text: string): number {
  const v = Number(text);
  if (!Number.isInteger(v) || v < 1) throw new InvalidArgumentError(`takes a whole number ≥ 1, got '${text}'.`);
  return v;
}

export function positiveFloat(text: string): number {
  const v = Number(text);
  if (!(v > 0) || !Number.isFinite(v)) throw new InvalidArgumentError(`takes a number > 0, got '${text}'.`);
  return v;
}

/** --log-format for the commands that take no other config key. */
export const logFormatOption = (): Option =>
  new Option('--log-format <name>', 'pretty (a table for people) or json (one JSON object per line)')
    .choices(['pretty', 'json'])
    .default('pretty');

/**
 * Flags renamed in 0.3 (one name per meaning across commands). The old spelling still
 * works for one release, hidden from the help, and says so in one warning line.
 */
interface Renamed {
  old: Option;
  now: Option;
}
const renamed = new WeakMap<Command, Renamed[]>();

/** Add `now` to cmd, and `oldFlags` (e.g. '--seeds <n>') as its hidden former name. */
export function addRenamedOption(cmd: Command, now: Option, oldFlags: string): Command {
  const old = new Option(oldFlags, `former name of ${now.long}`).hideHelp();
  if (now.parseArg) old.argParser(now.parseArg);
  cmd.addOption(now).addOption(old);
  renamed.set(cmd, [...(renamed.get(cmd) ?? []), { old, now }]);
  return cmd;
}

/** The warnings for the former names cmd was given, each value moved to its new name. */
export function takeRenamedOptions(cmd: Command): string[] {
  const warnings: string[] = [];
  for (const { old, now } of renamed.get(cmd) ?? []) {
    if (cmd.getOptionValueSource(old.attributeName()) !== 'cli') continue;
    if (cmd.getOptionValueSource(now.attributeName()) === 'cli') {
      throw new UsageError(`${old.long} is the former name of ${now.long}; give one of them.`);
    }
    cmd.setOptionValueWithSource(now.attributeName(), cmd.getOptionValue(old.attributeName()), 'cli');
    warnings.push(`${old.long} is now ${now.long}; the old name will be removed in lintrain 0.4.`);
  }
  return warnings;
}

/** A renamed flag's one line: a `warning` event in JSON mode, and on stderr for people. */
export function warnRenamed(message: string, logFormat: string | undefined): void {
  if (logFormat === 'json') stdoutEvents().write('warning', { message });
  process.stderr.write(`${colours(process.stderr).yellow(`warning: ${message}`)}\n`);
}
