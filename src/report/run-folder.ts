/**
 * A run folder collects everything one run makes:
 *   config.json     the resolved config (feeds back into --config)
 *   metrics.jsonl   the --log-format json lines: one per iteration, one per validation check
 *   model.json      the trained model (saveModel)
 *   summary.json    status, start and end time, the results, and the folder's file list
 *   *.svg, *.png    the pictures
 * Every file is written whole through writeFileAtomic, so a run that fails or is killed
 * leaves files that are each complete; summary.json says how far the run got.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeFileAtomic } from '../core/atomic.js';
import { type Config, runConfig, type RunConfig } from '../config/schema.js';
import { LintrainError, UsageError } from '../core/errors.js';
import { VERSION } from '../version.js';
import { readEvents } from './events.js';

export const RUNS_ROOT = 'runs'; // where runs go without --out, and where `lintrain runs` looks
export const RUN_FORMAT = 'lintrain-run';
export const RUN_VERSION = 1;

/** running: in progress (or killed: see runStatus); done: finished; failed: an error ended it; interrupted: Ctrl-C. */
export type RunStatus = 'running' | 'done' | 'failed' | 'interrupted';
/**
 * train: a training run; sweep: many, as one folder; repro: the lecture's presets, as one
 * folder; landscape: the loss around one W (`lintrain landscape`).
 */
export type RunKind = 'train' | 'sweep' | 'repro' | 'landscape';

/** summary.json: these fields always, plus the results (the done line's fields) once known. */
export interface RunSummary {
  format: typeof RUN_FORMAT;
  version: typeof RUN_VERSION;
  kind: RunKind;
  status: RunStatus;
  error: string | null;
  startedAt: string; // ISO 8601
  endedAt: string | null;
  host: string;
  pid: number;
  lintrain: string; // the version that wrote it
  config: RunConfig;
  files: string[]; // every file of the run, summary.json included, sorted
  [result: string]: unknown;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/**
 * The default folder name (local time): 2024-05-01-142530-svm-sgd, sweeps 2024-…-sweep-svm-sgd,
 * landscapes 2024-…-landscape-svm (no optimizer: nothing is trained), repro 2024-…-repro
 * (many losses and optimizers).
 */
export function runName(config: Pick<Config, 'loss' | 'opt'>, kind: RunKind, now: Date): string {
  const date = `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
  const time = `${pad(now.getHours())}${pad(now.getMinutes())}${pad(now.getSeconds())}`;
  const what =
    kind === 'repro'
      ? 'repro'
      : kind === 'landscape'
        ? `landscape-${config.loss}`
        : `${kind === 'sweep' ? 'sweep-' : ''}${config.loss}-${config.opt}`;
  return `${date}-${time}-${what}`;
}

const holdsRun = (dir: string) => fs.existsSync(path.join(dir, 'summary.json')) || fs.existsSync(path.join(dir, 'config.json'));

function mkdir(dir: string, recursive: boolean): boolean {
  try {
    fs.mkdirSync(dir, { recursive });
    return true;
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'EEXIST') return false;
    throw new LintrainError(
      `Cannot create the run folder ${dir}: ${err.code === 'EACCES' || err.code === 'EROFS' ? 'not writable' : err.message}.`,
    );
  }
}

/** The files of one run, each written atomically, and the list of them for summary.json. */
export class RunFolder {
  private readonly names = new Set<string>();
  readonly startedAt: Date;

  private constructor(
    readonly dir: string,
    startedAt: Date,
    names: Iterable<string> = [],
  ) {
    this.startedAt = startedAt;
    for (const n of names) this.names.add(n);
  }

  /**
   * A new run folder. `config.out` as given (refused when it already holds a run, so
   * two runs never mix their files), or a fresh root/<runName>, with -2, -3, … added
   * when that name is taken (mkdir claims it, so parallel runs never share one).
   */
  static create(config: Pick<Config, 'out' | 'loss' | 'opt'>, kind: RunKind = 'train', now = new Date(), root = RUNS_ROOT): RunFolder {
    if (config.out !== null) {
      const dir = config.out;
      if (holdsRun(dir)) {
        throw new UsageError(`The run folder ${dir} (--out) already holds a run; choose another folder or remove it.`);
      }
      mkdir(dir, true);
      return new RunFolder(dir, now);
    }
    mkdir(root, true);
    const base = path.join(root, runName(config, kind, now));
    for (let k = 1; ; k++) {
      const dir = k === 1 ? base : `${base}-${k}`;
      if (mkdir(dir, false)) return new RunFolder(dir, now);
    }
  }

  /** An existing run folder, to add to (its files stay in the list). */
  static open(dir: string): RunFolder {
    const summary = readSummary(dir);
    return new RunFolder(dir, new Date(summary.startedAt), summary.files);
  }

  /** The path of a file of this run. */
  path(name: string): string {
    return path.join(this.dir, name);
  }

  /** The run's files so far, sorted. */
  get files(): string[] {
    return [...this.names].sort();
  }

  /** Write one file of the run (atomically) and list it. */
  write(name: string, data: string | Uint8Array, what = name): void {
    writeFileAtomic(this.path(name), data, what);
    this.names.add(name);
  }

  /** List a file written by someone else (saveModel writes model.json atomically itself). */
  add(name: string): void {
    this.names.add(name);
  }

  /** Delete a file of the run (a finished run's spent checkpoint) and drop it from the list. */
  remove(name: string): void {
    fs.rmSync(this.path(name), { force: true });
    this.names.delete(name);
  }

  /** config.json: the run's config without the execution settings (config/schema.ts runConfig). */
  writeConfig(config: RunConfig): void {
    this.write('config.json', JSON.stringify(runConfig(config), null, 2) + '\n', 'the run config');
  }

  /** metrics.jsonl, whole: one JSON object per line. */
  writeMetrics(text: string): void {
    this.write('metrics.jsonl', text, 'the metrics');
  }

  /** summary.json: status, times, `results`, and the file list (itself included). */
  writeSummary(
    kind: RunKind,
    status: RunStatus,
    config: RunConfig,
    results: Record<string, unknown> = {},
    error: string | null = null,
  ): void {
    this.names.add('summary.json');
    const summary: RunSummary = {
      format: RUN_FORMAT,
      version: RUN_VERSION,
      kind,
      status,
      error,
      startedAt: this.startedAt.toISOString(),
      endedAt: status === 'running' ? null : new Date().toISOString(),
      host: os.hostname(),
      pid: process.pid,
      lintrain: VERSION,
      ...results,
      config: runConfig(config),
      files: this.files,
    };
    this.write('summary.json', readableJson(summary), 'the run summary');
  }
}

/** Indented JSON with arrays of numbers kept on one line (a confusion matrix reads as a table). */
export const readableJson = (value: unknown): string =>
  JSON.stringify(value, null, 2).replace(
    /\[\s*(-?[\d.e+-]+(?:,\s*-?[\d.e+-]+)*)\s*\]/g,
    (_, inner: string) => `[${inner.split(/,\s*/).join(', ')}]`,
  ) + '\n';

function readJson(file: string, what: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    throw new LintrainError(`${path.dirname(file)} is not a lintrain run folder: no ${path.basename(file)} (${what}).`);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new LintrainError(`${file} is damaged: not valid JSON.`);
  }
}

/** A run folder's summary.json. */
export function readSummary(dir: string): RunSummary {
  const s = readJson(path.join(dir, 'summary.json'), 'the run summary') as RunSummary;
  if (s?.format !== RUN_FORMAT) throw new LintrainError(`${dir}/summary.json is not a lintrain run summary.`);
  return s;
}

/** metrics.jsonl's events (`iter`, `val`; lintrain 0.1's lines read alike), empty when the run wrote none. */
export function readMetrics(dir: string): Array<Record<string, unknown> & { event: string }> {
  const file = path.join(dir, 'metrics.jsonl');
  if (!fs.existsSync(file)) return [];
  return readEvents(fs.readFileSync(file, 'utf8'));
}

/**
 * The status to show: a run whose summary still says "running" but whose process is
 * gone (killed, Ctrl-C during training) is "interrupted"; files are as last saved.
 */
export function runStatus(s: RunSummary): RunStatus {
  if (s.status !== 'running' || s.host !== os.hostname()) return s.status;
  try {
    process.kill(s.pid, 0);
    return 'running';
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM' ? 'running' : 'interrupted';
  }
}

/** The run folders directly under root, oldest first (by start time). */
export function listRuns(root = RUNS_ROOT): { dir: string; summary: RunSummary }[] {
  if (!fs.existsSync(root)) return [];
  const runs: { dir: string; summary: RunSummary }[] = [];
  for (const entry of fs.readdirSync(root, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const dir = path.join(root, entry.name);
    try {
      runs.push({ dir, summary: readSummary(dir) });
    } catch {
      // not a run folder (or a damaged one): `lintrain show DIR` names the fault
    }
  }
  return runs.sort((a, b) => a.summary.startedAt.localeCompare(b.summary.startedAt) || a.dir.localeCompare(b.dir));
}
