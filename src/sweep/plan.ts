/**
 * `lintrain sweep --plan`: each run of a sweep as a command that makes it alone, for any
 * scheduler (one Slurm job, one CI job, a line of GNU parallel). Pure: flags in, words out.
 *
 * A lone `lintrain` with the sweep's fixed flags, the run's point and its seed trains the
 * very W the sweep's run does (the same config, on any thread count). Left out: --out
 * and --save (the sweep's folder and file are not the run's; add your own) and
 * --min-val-acc (a sweep applies it to its best run only).
 */
import { CONSTRAINTS, type Config, type ConfigKey, DEFAULTS, flagOf } from '../config/schema.js';
import type { Params, RunSpec } from './points.js';

const NOT_PLANNED: readonly ConfigKey[] = ['out', 'save', 'minValAcc'];

/** One key's value as the flag words that give it. */
function flagWords(key: ConfigKey, value: unknown): string[] {
  if (CONSTRAINTS[key].kind === 'boolean') {
    if (value === DEFAULTS[key]) return [];
    return [value ? flagOf(key) : `--no-${flagOf(key).slice(2)}`];
  }
  return value === null ? [] : [flagOf(key), String(value)];
}

/**
 * The arguments of `lintrain` that run `spec` alone: --config as given, the fixed flags
 * (in the order given), the point's values, the run's seed.
 */
export function planArgs(spec: RunSpec, fixed: Partial<Config>, configFile: string | null): string[] {
  const args = configFile ? ['--config', configFile] : [];
  for (const [key, value] of Object.entries(fixed) as [ConfigKey, unknown][]) {
    if (!NOT_PLANNED.includes(key) && key !== 'seed') args.push(...flagWords(key, value));
  }
  for (const [key, value] of Object.entries(spec.params as Params)) args.push(flagOf(key), String(value));
  args.push('--seed', String(spec.seed));
  return args;
}

/** Words as one POSIX shell line: plain words as they are, others in single quotes. */
export const shellLine = (words: readonly string[]): string =>
  words.map((w) => (/^[\w@%+=:,./-]+$/.test(w) ? w : `'${w.replaceAll("'", `'\\''`)}'`)).join(' ');
