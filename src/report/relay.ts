/**
 * A Reporter that hands everything on to the reporter for people: the base of the
 * listeners that add something on the way (JSON lines on stdout, the run folder) and
 * override only the events they use.
 */
import type { ValEvent, IterEvent } from '../training/trainer.js';
import type { Phase, Reporter, RunInfo, Summary } from './types.js';

export class RelayReporter implements Reporter {
  constructor(protected readonly people: Reporter) {}

  phase(label: string, total: number, unit?: 'items' | 'bytes'): Phase {
    return this.people.phase(label, total, unit);
  }
  start(info: RunInfo): void {
    this.people.start(info);
  }
  iter(e: IterEvent): void {
    this.people.iter(e);
  }
  val(e: ValEvent): void {
    this.people.val(e);
  }
  done(s: Summary): void {
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
