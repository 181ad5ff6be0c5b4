/**
 * Output for scripts: one JSON object per line on stdout — one per iteration,
 * {"event":"eval",…} per validation check, {"event":"done",…} at the end.
 * Everything for people (bars, warnings) goes to stderr through `people`.
 */
import type { EvalEvent, IterEvent } from '../train.js';
import type { Phase, Reporter, RunInfo, Summary } from './types.js';

export class JsonReporter implements Reporter {
  constructor(
    private readonly people: Reporter,
    private readonly out: NodeJS.WritableStream = process.stdout,
  ) {}

  private line(obj: object): void {
    this.out.write(JSON.stringify(obj) + '\n');
  }

  phase(label: string, total: number, unit?: 'items' | 'bytes'): Phase {
    return this.people.phase(label, total, unit);
  }
  start(info: RunInfo): void {
    this.line({ event: 'start', sizes: info.sizes, config: info.config });
    this.people.start(info);
  }
  iter(e: IterEvent): void {
    this.line(e);
    this.people.iter(e);
  }
  eval(e: EvalEvent): void {
    this.line(e);
    this.people.eval(e);
  }
  done(s: Summary): void {
    this.line({ event: 'done', ...s });
    this.people.done(s);
  }
  warn(message: string): void {
    this.people.warn(message);
  }
  info(message: string): void {
    this.people.info(message);
  }
  close(): void {
    this.people.close();
  }
}
