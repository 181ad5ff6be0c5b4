/**
 * The folder of many runs, a sweep's or repro's: config.json, results.jsonl (the format
 * line and one `trial` line per finished run) and summary.json, which carries `mark`,
 * what identifies the sweep or repro (compared by --resume, and by sweep merge).
 *
 * results.jsonl is rewritten whole (atomically) after every run, so a stop at any moment
 * keeps every finished run and --resume skips them; at the end, and at a stop, its lines
 * are put in run-index order, so the file does not depend on which job finished first.
 */
import type { Config } from '../config/schema.js';
import { eventText, formatLine } from './events.js';
import { RunFolder } from './run-folder.js';

export type TrialKind = 'sweep' | 'repro';

export class TrialRecorder {
  protected readonly lines = new Map<number, string>(); // run index → its trial line, in the order written

  constructor(
    readonly folder: RunFolder,
    protected readonly kind: TrialKind,
    protected readonly config: Config,
    private readonly mark: Record<string, unknown>,
  ) {}

  /** A new folder (config.out, or a fresh one under runs/) with its config.json. */
  static newFolder(config: Config, kind: TrialKind): RunFolder {
    const folder = RunFolder.create(config, kind);
    folder.writeConfig(config);
    return folder;
  }

  /**
   * Start: results.jsonl (with the lines of the runs a stopped folder kept, whose identity
   * the caller has checked) and a summary saying `running`.
   */
  begin(kept: ReadonlyMap<number, string> = new Map()): this {
    for (const [index, line] of kept) this.lines.set(index, line);
    this.writeResults(this.ordered());
    this.folder.writeSummary(this.kind, 'running', this.config, this.marked());
    return this;
  }

  /** One finished run: its `trial` line, added to results.jsonl at once. */
  trial(fields: { index: number }): void {
    this.lines.set(fields.index, eventText('trial', fields));
    this.writeResults([...this.lines.values()]);
  }

  /** The end: results in run order, then the summary saying `done`, with `results`. */
  finish(results: Record<string, unknown>): void {
    this.writeResults(this.ordered());
    this.folder.writeSummary(this.kind, 'done', this.config, this.marked(results));
  }

  /** Stopped by a signal between runs: results in run order, the summary `interrupted`, saying why. */
  interrupted(message: string): void {
    this.writeResults(this.ordered());
    this.folder.writeSummary(this.kind, 'interrupted', this.config, this.marked(), message);
  }

  /** Leave a consistent folder when the command fails; the first error is the one reported. */
  fail(error: unknown): void {
    try {
      this.folder.writeSummary(this.kind, 'failed', this.config, this.marked(), error instanceof Error ? error.message : String(error));
    } catch {
      // keep the original error
    }
  }

  protected marked(results: Record<string, unknown> = {}): Record<string, unknown> {
    return { ...results, ...this.mark };
  }

  protected ordered(): string[] {
    return [...this.lines].sort(([a], [b]) => a - b).map(([, line]) => line);
  }

  protected writeResults(lines: readonly string[]): void {
    const text = [JSON.stringify(formatLine(this.kind)), ...lines].join('\n') + '\n';
    this.folder.write('results.jsonl', text, `the ${this.kind} results`);
  }
}
