/**
 * The contract with scripts: with `--log-format json` every command writes one JSON
 * object per line on stdout, each with an `event` name, and the first line names the
 * format and its version. A run folder's metrics.jsonl and a sweep's results.jsonl are
 * lines of the same format. schema/lintrain-events.schema.json describes every event;
 * docs/scripting.md lists them. An event name means one thing in every command.
 *
 * Version 1 (lintrain 0.2): iteration lines are `iter` (before: no `event`), validation
 * checks `val` (before: `eval`, which now names only the `eval` command's result), one
 * run of a sweep or of repro `trial` (before: `run`, which now names only a row of
 * `lintrain runs`). readEvents() reads both.
 */
import { VERSION } from '../version.js';

export const EVENTS_FORMAT = 'lintrain-events';
export const EVENTS_VERSION = 1;

/** Every event name, and the one thing each means. */
export const EVENT_NAMES = {
  format: 'the first line: which format and version the lines follow, and the command',
  start: 'train: a run begins (split sizes, the run config, the kernels and threads)',
  iter: 'train: one iteration (gradient methods) or one try (the searches)',
  val: 'train: a validation check during training',
  done: 'train: the run ended (finished, or stopped by a signal with a checkpoint)',
  'step-size': 'train --experiment step-size: the loss after one step of each size',
  trial: 'sweep, repro: one of many training runs finished',
  plan: 'sweep --plan: one run of the sweep and the command that makes it alone',
  sweep: 'sweep, sweep merge: the ranked points, the choice and its one test score',
  repro: 'repro: the lecture table, sanity figures and gradient checks',
  landscape: 'landscape: the loss around one W along random directions, in a run folder',
  eval: 'eval: a saved model scored on the test split',
  gradcheck: 'gradcheck: analytic against numerical gradient at each checked entry',
  download: 'download: the data set is in place',
  features: 'features extract: the feature file written',
  run: 'runs: one run folder, as a row of the table',
  show: 'show: one run folder in full',
  visualize: 'visualize: the templates picture written',
  warning: 'any command: a warning also shown to people on stderr',
  error: 'any command: the last line of a command that failed, with its exit code',
} as const;
export type EventName = keyof typeof EVENT_NAMES;

/** The first line of every stream of events. */
export const formatLine = (command: string) => ({
  event: 'format' as const,
  format: EVENTS_FORMAT,
  version: EVENTS_VERSION,
  command,
  lintrain: VERSION,
});

/** One event as its line of text (no newline). */
export const eventText = (event: EventName, fields: object = {}): string => JSON.stringify({ event, ...fields });

/**
 * JSON lines on a stream: the format line first (written before the first event), then
 * one line per event. `lines` is the one writer of stdout events, so that the CLI can
 * end a failed json-mode command with an `error` line (cli/main.ts).
 */
export class EventLines {
  private begun = false;

  /** Whether a line has been written (the command is in json mode, however it was asked for). */
  get started(): boolean {
    return this.begun;
  }

  constructor(
    readonly command: string,
    private readonly out: NodeJS.WritableStream = process.stdout,
  ) {}

  /** The format line, once: a command that has no event to write (no runs to list) still writes it. */
  begin(): void {
    if (this.begun) return;
    this.begun = true;
    this.out.write(JSON.stringify(formatLine(this.command)) + '\n');
  }

  write(event: EventName, fields: object = {}): void {
    this.begin();
    this.out.write(eventText(event, fields) + '\n');
  }
}

/**
 * The events of a metrics.jsonl (or results.jsonl) text, format line left out, lines of
 * lintrain 0.1 read as version 1: an iteration line without `event` is `iter`, `eval`
 * during training is `val`, `run` of a sweep is `trial`.
 */
export function readEvents(text: string): Array<Record<string, unknown> & { event: string }> {
  const out: Array<Record<string, unknown> & { event: string }> = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const o = JSON.parse(line) as Record<string, unknown>;
    if (o.event === 'format') continue;
    const legacy = o.event === undefined ? 'iter' : o.event === 'eval' ? 'val' : o.event === 'run' ? 'trial' : o.event;
    out.push({ ...o, event: legacy as string });
  }
  return out;
}
