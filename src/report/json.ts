/**
 * Output for scripts: one JSON object per line on stdout — one per iteration,
 * {"event":"eval",…} per validation check, {"event":"done",…} at the end.
 * Everything for people (bars, warnings) goes to stderr through `people`.
 */
import type { EvalEvent, IterEvent } from '../train.js';
import { RelayReporter } from './relay.js';
import type { Reporter, RunInfo, Summary } from './types.js';

export class JsonReporter extends RelayReporter {
  constructor(
    people: Reporter,
    private readonly out: NodeJS.WritableStream = process.stdout,
  ) {
    super(people);
  }

  private line(obj: object): void {
    this.out.write(JSON.stringify(obj) + '\n');
  }

  override start(info: RunInfo): void {
    this.line({ event: 'start', sizes: info.sizes, config: info.config });
    this.people.start(info);
  }
  override iter(e: IterEvent): void {
    this.line(e);
    this.people.iter(e);
  }
  override eval(e: EvalEvent): void {
    this.line(e);
    this.people.eval(e);
  }
  override done(s: Summary): void {
    this.line({ event: 'done', ...s });
    this.people.done(s);
  }
}
