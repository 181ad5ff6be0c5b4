import { JsonReporter } from '../report/json.js';
import { stdoutEvents } from './events.js';
import { PrettyReporter } from '../report/pretty.js';
import type { Reporter } from '../report/types.js';

/** pretty: people's output on stdout/stderr; json: JSON lines on stdout, people's output on stderr. */
export function makeReporter(logFormat: 'pretty' | 'json', quiet: boolean): Reporter {
  return logFormat === 'json'
    ? new JsonReporter(new PrettyReporter(process.stderr, quiet), stdoutEvents())
    : new PrettyReporter(process.stdout, quiet, process.stderr, Boolean(process.stdout.isTTY) && !quiet);
}
