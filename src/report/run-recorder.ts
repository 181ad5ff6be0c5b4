/**
 * The run folder's listener: a Reporter that keeps the metric lines (the `iter` and
 * `val` events, as --log-format json prints them, after their format line) in memory,
 * passes everything on to the reporter for people, and writes the folder's files whole —
 * metrics.jsonl and summary.json every few seconds while training (so a killed run
 * leaves what it had), and at the end, with status done, failed or interrupted.
 */
import type { RunConfig } from '../config/schema.js';
import { LintrainError } from '../core/errors.js';
import type { IterEvent, ValEvent } from '../training/trainer.js';
import { eventText, formatLine, readEvents } from './events.js';
import type { RunFolder, RunStatus } from './run-folder.js';
import { RelayReporter } from './relay.js';
import type { Reporter, Summary } from './types.js';

// metrics.jsonl and summary.json are rewritten at most once a second while training (the
// board's curves grow at that pace), and never oftener than 20 times what the last save
// took, so rewriting a long run's metrics costs at most about 5% of its time.
const SAVE_EVERY_MS = 1000;
const SAVE_SHARE = 20;

export class RunRecorder extends RelayReporter {
  readonly iters: IterEvent[] = [];
  readonly vals: ValEvent[] = [];
  private text = JSON.stringify(formatLine('train')) + '\n';
  private saved = Date.now();
  private saveMs = 0; // how long the last save took

  /**
   * previous: metrics.jsonl of the run so far, when it resumes from a checkpoint (lines of
   * lintrain 0.1 included: they are rewritten in this format). kernels: Summary.kernels.
   */
  constructor(
    readonly folder: RunFolder,
    people: Reporter,
    private readonly config: RunConfig,
    private readonly kernels: string,
    previous = '',
  ) {
    super(people);
    for (const e of readEvents(previous)) {
      if (e.event === 'iter') this.iters.push(e as unknown as IterEvent);
      else if (e.event === 'val') this.vals.push(e as unknown as ValEvent);
      else continue;
      this.text += JSON.stringify(e) + '\n';
    }
    folder.writeConfig(config);
    folder.writeSummary('train', 'running', config, { kernels });
  }

  /** The lines of metrics.jsonl so far. */
  get metricsText(): string {
    return this.text;
  }

  private save(status: RunStatus, results: Record<string, unknown>, error: string | null = null): void {
    const t0 = Date.now();
    this.folder.writeMetrics(this.text);
    this.folder.writeSummary('train', status, this.config, { kernels: this.kernels, ...results }, error);
    this.saved = Date.now();
    this.saveMs = this.saved - t0;
  }

  private progress(): Record<string, unknown> {
    const last = this.iters[this.iters.length - 1];
    return { itersDone: last?.iter ?? 0, lastLoss: last?.loss ?? null };
  }

  override iter(e: IterEvent): void {
    this.iters.push(e);
    this.text += eventText('iter', e) + '\n';
    if (Date.now() - this.saved > Math.max(SAVE_EVERY_MS, SAVE_SHARE * this.saveMs)) this.save('running', this.progress());
    this.people.iter(e);
  }
  override val(e: ValEvent): void {
    this.vals.push(e);
    this.text += eventText('val', e) + '\n';
    this.people.val(e);
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
