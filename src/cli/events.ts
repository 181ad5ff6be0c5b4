/**
 * The process's JSON lines on stdout (`--log-format json`): one writer, so that the
 * format line comes once and first whichever command writes, and so that main() can end
 * a failed command with its `error` line (report/events.ts has the format).
 */
import { EventLines } from '../report/events.js';

let command = 'train';
let lines: EventLines | null = null;

/** The command being run, as its lines name it ("train", "features extract"); main() sets it. */
export function setCommand(name: string): void {
  command = name;
}

export function stdoutEvents(): EventLines {
  lines ??= new EventLines(command);
  return lines;
}

/** Whether the command line asks for JSON lines: `--log-format json` or `--log-format=json`. */
export function wantsJson(argv: readonly string[]): boolean {
  return argv.some((a, i) => a === '--log-format=json' || (a === '--log-format' && argv[i + 1] === 'json'));
}
