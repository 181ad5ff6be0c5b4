/**
 * Ctrl-C (SIGINT) and SIGTERM during training: the first one is only remembered,
 * and the train loop, which asks between steps (an iteration, or a search's block of
 * tries), stops after the current step; the train command then writes a checkpoint,
 * prints the summary so far and exits 128 + the signal number (130, 143). A second
 * signal exits at once, as people expect. Sweep and repro ask between runs instead: no
 * new run starts, the running ones finish (their results are kept for --resume).
 */
import { LintrainError } from '../core/errors.js';

export const SIGNAL_EXIT: Record<string, number> = { SIGINT: 130, SIGTERM: 143 };

export interface StopSignals {
  /** The first signal received, or null. */
  received(): NodeJS.Signals | null;
  dispose(): void;
}

/** `what`: what happens after the first signal, said to people on stderr. */
export function catchStopSignals(what = 'stopping after the current step and writing a checkpoint'): StopSignals {
  let first: NodeJS.Signals | null = null;
  const on = (sig: NodeJS.Signals) => {
    if (first !== null) process.exit(SIGNAL_EXIT[sig]);
    first = sig;
    process.stderr.write(`\n${sig}: ${what} (again to quit at once)\n`);
  };
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];
  for (const s of signals) process.on(s, on);
  return {
    received: () => first,
    dispose: () => {
      for (const s of signals) process.off(s, on);
    },
  };
}

/** What sweep and repro tell people after the first signal (catchStopSignals' `what`). */
export const BETWEEN_RUNS = 'no new runs start; the running ones finish, their results kept';

/** The error that ends a sweep or repro stopped between runs: how far it got, and how to go on. */
export function stoppedBetweenRuns(signal: NodeJS.Signals, finished: number, total: number, dir: string): LintrainError {
  return new LintrainError(
    `${signal}: stopped with ${finished} of ${total} runs finished, in ${dir}; go on with the same flags and --resume ${dir}`,
    SIGNAL_EXIT[signal],
  );
}
