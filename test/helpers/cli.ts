/**
 * The CLI as a user runs it: the built bin/lintrain.js in a child process. Every run
 * with `--log-format json` has its stdout checked against the events' contract
 * (schema/lintrain-events.schema.json, report/events.ts): each line one JSON object
 * valid under the schema, the first the `format` line naming the command. So every
 * JSON line any test makes the CLI print is checked, whatever the test is about.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const bin = path.join(root, 'bin', 'lintrain.js');
export const schema = JSON.parse(fs.readFileSync(path.join(root, 'schema', 'lintrain-events.schema.json'), 'utf8'));

const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true });
export const validEvent = ajv.compile(schema);

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  // biome-ignore lint/suspicious/noExplicitAny: JSON lines, checked against the schema
  events: Array<Record<string, any>>;
}

/** The command a json-mode run names in its format line: `features extract`, else the first word, else train. */
function commandOf(args: readonly string[]): string {
  const known = ['download', 'gradcheck', 'eval', 'sweep', 'repro', 'landscape', 'runs', 'show', 'visualize'];
  if (args[0] === 'features' && args[1] === 'extract') return 'features extract';
  if (args[0] === 'sweep' && args[1] === 'merge') return 'sweep merge';
  return known.includes(args[0]) ? args[0] : 'train';
}

const jsonMode = (args: readonly string[]) =>
  args.some((a, i) => a === '--log-format=json' || (a === '--log-format' && args[i + 1] === 'json'));

/**
 * The events of a json-mode run's stdout, checked: throws naming the line and what the
 * schema says of it. An empty stdout (help, version) has none.
 */
export function checkEvents(stdout: string, command: string): CliResult['events'] {
  const lines = stdout.split('\n').filter((l) => l !== '');
  const events = lines.map((line, i) => {
    let e: unknown;
    try {
      e = JSON.parse(line);
    } catch {
      throw new Error(`stdout line ${i + 1} is not JSON: ${line.slice(0, 200)}`);
    }
    if (!validEvent(e)) {
      throw new Error(`stdout line ${i + 1} breaks the events schema: ${ajv.errorsText(validEvent.errors)}\n${line.slice(0, 400)}`);
    }
    return e as Record<string, unknown>;
  });
  if (events.length > 0 && !(events[0].event === 'format' && events[0].command === command)) {
    throw new Error(`the first line is not the format line of ${command}: ${lines[0].slice(0, 200)}`);
  }
  if (events.slice(1).some((e) => e.event === 'format')) throw new Error('a format line after the first');
  return events;
}

export interface CliOptions {
  cwd: string;
  env?: Record<string, string>;
  timeout?: number;
}

const envOf = (extra: Record<string, string> = {}) => ({ ...process.env, NO_COLOR: '1', LINTRAIN_DATA: '', ...extra });

/** Run `lintrain ...args` to the end. */
export function lintrain(args: readonly string[], opts: CliOptions): CliResult {
  const r = spawnSync(process.execPath, [bin, ...args], {
    cwd: opts.cwd,
    encoding: 'utf8',
    env: envOf(opts.env),
    timeout: opts.timeout ?? 120_000,
  });
  const events = jsonMode(args) ? checkEvents(r.stdout, commandOf(args)) : [];
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, events };
}

/**
 * Spawn `lintrain ...args`, collecting its output; `done` resolves at its close with
 * the exit code or signal. The one spawn of the asynchronous runners below.
 */
function spawnLintrain(args: readonly string[], opts: CliOptions) {
  const child = spawn(process.execPath, [bin, ...args], { cwd: opts.cwd, env: envOf(opts.env) });
  const out = { stdout: '', stderr: '' };
  child.stdout.on('data', (d) => (out.stdout += d));
  child.stderr.on('data', (d) => (out.stderr += d));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, ...out }));
  });
  return { child, done };
}

/** Run `lintrain ...args` in its own process without waiting: several at once, as a job array runs them. */
export async function lintrainAsync(args: readonly string[], opts: CliOptions): Promise<CliResult> {
  const { code, stdout, stderr } = await spawnLintrain(args, opts).done;
  return { code, stdout, stderr, events: jsonMode(args) ? checkEvents(stdout, commandOf(args)) : [] };
}

/**
 * Start `lintrain ...args` and SIGKILL it (no handler runs: a lost machine, an OOM kill)
 * once `ready()` says so, checked every few milliseconds (e.g. a file holds some results).
 * With `signal` (SIGINT: Ctrl-C), that signal instead; a process that then exits on its
 * own has its JSON lines checked as any run's.
 */
export async function lintrainKilled(
  args: readonly string[],
  opts: CliOptions & { ready: () => boolean; signal?: NodeJS.Signals },
): Promise<CliResult> {
  const { child, done } = spawnLintrain(args, opts);
  const poll = setInterval(() => {
    if (opts.ready()) {
      clearInterval(poll);
      child.kill(opts.signal ?? 'SIGKILL');
    }
  }, 5);
  const { code, signal, stdout, stderr } = await done.finally(() => clearInterval(poll));
  const events = code !== null && jsonMode(args) ? checkEvents(stdout, commandOf(args)) : [];
  return { code: code ?? (signal === 'SIGKILL' ? 137 : null), stdout, stderr, events };
}

/**
 * Start `lintrain ...args`, wait until stdout matches `when`, stop reading (its output
 * pipe fills and it waits, so it cannot finish meanwhile), send the signal, then read on
 * to the end.
 */
export function lintrainSignalled(
  args: readonly string[],
  opts: CliOptions & { when: RegExp; signal: NodeJS.Signals },
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd: opts.cwd, env: envOf(opts.env) });
    let stdout = '';
    let stderr = '';
    let sent = false;
    child.stderr.on('data', (d) => (stderr += d));
    child.stdout.on('data', (d) => {
      stdout += d;
      if (!sent && opts.when.test(stdout)) {
        sent = true;
        child.stdout.pause();
        child.kill(opts.signal);
        setTimeout(() => child.stdout.resume(), 50);
      }
    });
    child.on('error', reject);
    child.on('close', (code) => {
      try {
        resolve({ code, stdout, stderr, events: jsonMode(args) ? checkEvents(stdout, commandOf(args)) : [] });
      } catch (e) {
        reject(e);
      }
    });
  });
}
