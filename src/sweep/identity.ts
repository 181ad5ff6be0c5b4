/**
 * What makes two sweeps the same sweep: the config every run shares (seed included), the
 * swept axes, --samples and --repeats. Shards of one sweep, and a sweep and its resumed
 * self, must agree on all of it, or their runs are not parts of one search. Pure.
 *
 * Left out on purpose (they change where and how results are shown, not the numbers):
 * out, save, logFormat, quiet, plots, minValAcc, download, data (a cluster's nodes may
 * mount the same data at other paths) and threads (the kernels give the same bits for
 * any thread count; runConfig drops it already).
 */
import { createHash } from 'node:crypto';
import { type Config, flagOf, type RunConfig, runConfig } from '../config/schema.js';
import type { Axis } from './points.js';

export const NOT_IDENTITY = ['out', 'save', 'logFormat', 'quiet', 'plots', 'minValAcc', 'download', 'data'] as const;

export interface SweepIdentity {
  config: Partial<RunConfig>; // the shared config, without NOT_IDENTITY's keys
  axes: Axis[];
  samples: number | null; // null: the whole grid
  repeats: number;
}

export function sweepIdentity(base: Config | RunConfig, axes: readonly Axis[], samples: number | null, repeats: number): SweepIdentity {
  const config: Record<string, unknown> = { ...runConfig(base) };
  for (const key of NOT_IDENTITY) delete config[key];
  return { config: config as Partial<RunConfig>, axes: axes.map((a) => ({ ...a })), samples, repeats };
}

/** JSON with keys sorted at every level, so that equal identities hash alike. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** A short fingerprint of a sweep or repro (16 hex digits of SHA-256), recorded in every shard's folder, and repro's. */
export const identityHash = (id: SweepIdentity | ReproIdentity): string =>
  createHash('sha256').update(canonical(id)).digest('hex').slice(0, 16);

/**
 * How `b` differs from `a`, in words a user can act on: "reg axis differs", "seed
 * differs", "--samples differs". Empty when they are the same sweep.
 */
export function identityDifferences(a: SweepIdentity, b: SweepIdentity): string[] {
  const out: string[] = [];
  const axisOf = (id: SweepIdentity, key: string) => id.axes.find((x) => x.key === key);
  const axisKeys = [...new Set([...a.axes, ...b.axes].map((x) => x.key))];
  for (const key of axisKeys) {
    const [x, y] = [axisOf(a, key), axisOf(b, key)];
    if (canonical(x) !== canonical(y)) out.push(`${flagOf(key).slice(2)} axis differs`);
  }
  if (canonical(a.axes.map((x) => x.key)) !== canonical(b.axes.map((x) => x.key)) && out.length === 0)
    out.push('the order of the axes differs');
  const keys = [...new Set([...Object.keys(a.config), ...Object.keys(b.config)])].sort();
  for (const key of keys) {
    const [x, y] = [(a.config as Record<string, unknown>)[key], (b.config as Record<string, unknown>)[key]];
    if (canonical(x) !== canonical(y)) out.push(`${flagOf(key).slice(2)} differs`);
  }
  if (a.samples !== b.samples) out.push('samples differs');
  if (a.repeats !== b.repeats) out.push('repeats differs');
  return out;
}

/**
 * What makes two `lintrain repro`s the same: --quick, and each preset run, in order, with
 * its config (as a sweep's, NOT_IDENTITY's keys left out; split sizes and the data-
 * affecting flags are in it) and its seeds. A resumed repro must agree on all of it.
 */
export interface ReproIdentity {
  quick: boolean;
  presets: { preset: string; config: Partial<RunConfig>; seeds: number[] }[];
}

export function reproIdentity(
  quick: boolean,
  presets: readonly { preset: string; config: Config; seeds: readonly number[] }[],
): ReproIdentity {
  return {
    quick,
    presets: presets.map((p) => ({ preset: p.preset, config: sweepIdentity(p.config, [], null, 1).config, seeds: [...p.seeds] })),
  };
}

/** How repro `b` differs from `a`: "presets differ", "num-train differs", "seeds differ", "--quick differs". */
export function reproDifferences(a: ReproIdentity, b: ReproIdentity): string[] {
  const names = (id: ReproIdentity) => id.presets.map((p) => p.preset);
  if (a.quick !== b.quick) return ['--quick differs'];
  if (canonical(names(a)) !== canonical(names(b))) return [`presets differ (${names(a).join(', ')} there)`];
  const out = new Set<string>();
  a.presets.forEach((p, i) => {
    const q = b.presets[i];
    const as = (x: typeof p) => ({ config: x.config, axes: [], samples: null, repeats: 1 });
    for (const d of identityDifferences(as(p), as(q))) out.add(d);
    if (canonical(p.seeds) !== canonical(q.seeds)) out.add('seeds differ (--repeats)');
  });
  return [...out];
}
