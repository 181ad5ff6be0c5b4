import type { RunConfig } from '../config/schema.js';
import type { KernelsId } from '../kernels/types.js';
import type { ValEvent, IterEvent } from '../training/trainer.js';

/** A long phase (download, loading, evaluation) shown as a bar on a terminal. */
export interface Phase {
  update(done: number): void;
  stop(): void;
}

export interface RunInfo {
  config: RunConfig;
  sizes: { train: number; val: number; test: number };
  kernels: KernelsId; // the arithmetic that computes (Kernels.id)
  threads: number; // how many threads it runs on (never changes the results)
  detail: string; // the kernels for people: build and threads
  resumedAt: number | null; // the iteration a resumed run continues after
}

/** What a finished run reports; also the `{"event":"done"}` JSON line. */
export interface Summary {
  trainAcc: number;
  valAcc: number;
  testAcc: number;
  perClass: Record<string, number>; // test accuracy per class name
  classNames: string[];
  confusion: number[][]; // test split, C×C counts: confusion[true][predicted]
  finalLoss: number;
  iters: number;
  timeSec: number;
  peakRssMB: number;
  saved: string | null;
  runDir: string | null; // the run folder
  config: RunConfig;
  kernels: string; // the kernels that computed W (Kernels.id); "a+b" when a resume changed them
  /** A run stopped by a signal: after how many iterations, and where its checkpoint is. */
  interrupted?: { signal: string; iter: number; checkpoint: string };
}

/** The train loop's listener. Everything for people goes through here. */
export interface Reporter {
  phase(label: string, total: number, unit?: 'items' | 'bytes'): Phase;
  start(info: RunInfo): void;
  iter(e: IterEvent): void;
  val(e: ValEvent): void;
  done(s: Summary): void;
  warn(message: string): void;
  info(message: string): void;
  close(): void;
}
