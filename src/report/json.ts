/**
 * Output for scripts (report/events.ts): after the format line, `start`, one `iter`
 * per iteration, a `val` per validation check, `done` at the end, and `warning` for
 * each warning. Everything for people (bars, messages) goes to stderr through `people`.
 */
import type { IterEvent, ValEvent } from '../training/trainer.js';
import type { EventLines } from './events.js';
import { RelayReporter } from './relay.js';
import type { Reporter, RunInfo, Summary } from './types.js';

export class JsonReporter extends RelayReporter {
  constructor(
    people: Reporter,
    private readonly lines: EventLines,
  ) {
    super(people);
  }

  override start(info: RunInfo): void {
    const { detail: _detail, ...fields } = info;
    this.lines.write('start', fields);
    this.people.start(info);
  }
  override iter(e: IterEvent): void {
    this.lines.write('iter', e);
    this.people.iter(e);
  }
  override val(e: ValEvent): void {
    this.lines.write('val', e);
    this.people.val(e);
  }
  override done(s: Summary): void {
    this.lines.write('done', s);
    this.people.done(s);
  }
  override warn(message: string): void {
    this.lines.write('warning', { message });
    this.people.warn(message);
  }
}
