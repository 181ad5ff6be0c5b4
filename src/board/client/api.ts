/** What the board's server sends (board/server/server.ts), as the pages read it. */

export type Status = 'running' | 'done' | 'failed' | 'interrupted' | 'damaged';

export interface Row {
  name: string;
  status: Status;
  damaged: string | null;
  kind?: string;
  startedAt?: string;
  endedAt?: string | null;
  loss?: string;
  opt?: string;
  lr?: number | null;
  reg?: number | null;
  iters?: number | null;
  itersDone?: number | null;
  trainAcc?: number | null;
  valAcc?: number | null;
  testAcc?: number | null;
  timeSec?: number | null;
}

export interface Progress {
  itersDone: number;
  iters: number | null;
  elapsedSec: number | null;
  etaSec: number | null;
}

export interface Series {
  iter: number[];
  [field: string]: (number | null)[];
}

export interface Metrics {
  iters: number;
  points: number;
  iter: Series;
  val: Series;
  damaged: string | null;
  progress: Progress;
  status: Status | null;
}

export interface Trial {
  index: number;
  point: number;
  params: Record<string, number>;
  seed: number;
  trainAcc: number | null;
  valAcc: number | null;
  finalLoss: number | null;
  timeSec: number;
  error?: string;
}

export interface Landscape {
  format: 'lintrain-landscape';
  loss: string;
  alphas: number[];
  slices: { examples: number; curve: number[]; grid: number[] }[];
}

export interface RunDetails {
  row?: Row;
  summary: Record<string, unknown> | null;
  config: Record<string, unknown> | null;
  files: { name: string; size: number }[];
  trials: Trial[] | null;
  landscape: Landscape | null;
  progress: Progress;
}

export const runUrl = (name: string) => `/api/run/${encodeURIComponent(name)}`;
export const fileUrl = (name: string, file: string) => `${runUrl(name)}/file/${encodeURIComponent(file)}`;
