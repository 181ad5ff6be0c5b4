/**
 * The run folder's listener: a Reporter that keeps the metric lines (the same as
 * --log-format json prints) in memory, passes everything on to the reporter for
 * people, and writes the folder's files whole — metrics.jsonl and summary.json every
 * few seconds while training (so a killed run leaves what it had), and at the end,
 * with status done, failed or interrupted.
 */
import type { Config } from '../config.js';
import { LintrainError } from '../errors.js';
import type { EvalEvent, IterEvent } from '../train.js';
import type { RunFolder, RunStatus } from './run-folder.js';
import { RelayReporter } from './relay.js';
import type { Reporter, Summary } from './types.js';

const SAVE_EVERY_MS = 5000;

export class RunRecorder extends RelayReporter {
  readonly iters: IterEvent[] = [];
  readonly evals: EvalEvent[] = [];
  private text = '';
  private saved = Date.now();

  /** previous: the metric lines of the run so far, when it resumes from a checkpoint. */
  constructor(
    readonly folder: RunFolder,
    people: Reporter,
    private readonly config: Config,
    previous = '',
  ) {
    super(people);
    for (const line of previous.split('\n')) {
      if (line.trim() === '') continue;
      const e = JSON.parse(line) as IterEvent | EvalEvent;
      if ('event' in e) this.evals.push(e);
      else this.iters.push(e);
      this.text += line + '\n';
    }
    folder.writeConfig(config);
    folder.writeSummary('train', 'running', config);
  }

  /** The lines of metrics.jsonl so far. */
  get metricsText(): string {
    return this.text;
  }

  private save(status: RunStatus, results: Record<string, unknown>, error: string | null = null): void {
    this.folder.writeMetrics(this.text);
    this.folder.writeSummary('train', status, this.config, results, error);
    this.saved = Date.now();
  }

  private progress(): Record<string, unknown> {
    const last = this.iters[this.iters.length - 1];
    return { itersDone: last?.iter ?? 0, lastLoss: last?.loss ?? null };
  }

  override iter(e: IterEvent): void {
    this.iters.push(e);
    this.text += JSON.stringify(e) + '\n';
    if (Date.now() - this.saved > SAVE_EVERY_MS) this.save('running', this.progress());
    this.people.iter(e);
  }
  override eval(e: EvalEvent): void {
    this.evals.push(e);
    this.text += JSON.stringify(e) + '\n';
    this.people.eval(e);
  }

  /**
   * The run is over, finished or stopped by a signal (s.interrupted, status
   * interrupted): write its last files, then tell people (and say where the folder is).
   */
  override done(s: Summary): void {
    const { runDir: _runDir, config: _config, ...results } = s;
    this.save(s.interrupted ? 'interrupted' : 'done', { ...this.progress(), ...results });
    this.people.done(s);
    this.people.info(`run folder: ${this.folder.dir}`);
  }

  /**
   * The run ended with `error`: leave a consistent folder saying so (status failed, or
   * interrupted for Ctrl-C). A failure to write is not allowed to hide the first error.
   */
  fail(error: unknown): void {
    const interrupted = error instanceof LintrainError && error.exitCode === 130;
    const message = error instanceof Error ? error.message : String(error);
    try {
      this.save(interrupted ? 'interrupted' : 'failed', this.progress(), message);
      this.people.info(`run folder (${interrupted ? 'interrupted' : 'failed'} run): ${this.folder.dir}`);
    } catch {
      // the original error is the one to report
    }
  }
}
