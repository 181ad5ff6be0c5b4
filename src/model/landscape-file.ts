/**
 * landscape.json, the slices `lintrain landscape` writes into its run folder, for the
 * board to draw and `lintrain show` to print:
 *   { format: 'lintrain-landscape', version: 1, loss, reg, seed, range, steps,
 *     alphas: [S numbers, −range … range],
 *     slices: [{ examples, curve: [S], grid: [S×S, row-major: row = b index, column = a index] }] }
 * reg is the penalty's strength (0 when there is none). A loss JSON cannot hold (an
 * overflow) is null.
 */
import fs from 'node:fs';
import { LintrainError } from '../core/errors.js';
import type { Landscape } from './landscape.js';
import type { LossName } from './losses/types.js';

export const LANDSCAPE_FORMAT = 'lintrain-landscape';
export const LANDSCAPE_VERSION = 1;

export interface LandscapeFile {
  format: typeof LANDSCAPE_FORMAT;
  version: typeof LANDSCAPE_VERSION;
  loss: LossName;
  reg: number;
  seed: number;
  range: number;
  steps: number;
  alphas: number[];
  slices: { examples: number; curve: number[]; grid: number[] }[];
}

/** The file's content for a computed landscape and the settings it was computed with. */
export function landscapeFile(l: Landscape, about: { loss: LossName; reg: number; seed: number; range: number }): LandscapeFile {
  return {
    format: LANDSCAPE_FORMAT,
    version: LANDSCAPE_VERSION,
    loss: about.loss,
    reg: about.reg,
    seed: about.seed,
    range: about.range,
    steps: l.alphas.length,
    alphas: Array.from(l.alphas),
    slices: l.slices.map((s) => ({ examples: s.examples, curve: Array.from(s.curve), grid: Array.from(s.grid) })),
  };
}

/** Read a landscape.json, checking its format and that every array has the length `steps` says. */
export function readLandscape(file: string): LandscapeFile {
  let body: LandscapeFile;
  try {
    body = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : 'not valid JSON';
    throw new LintrainError(`Cannot read the landscape ${file}: ${why}.`);
  }
  if (body?.format !== LANDSCAPE_FORMAT || body.version !== LANDSCAPE_VERSION) {
    throw new LintrainError(`${file} is not a lintrain landscape (format ${LANDSCAPE_FORMAT} version ${LANDSCAPE_VERSION}).`);
  }
  const S = body.steps;
  const fits = (a: unknown, n: number) => Array.isArray(a) && a.length === n;
  if (!fits(body.alphas, S) || !Array.isArray(body.slices) || !body.slices.every((s) => fits(s.curve, S) && fits(s.grid, S * S))) {
    throw new LintrainError(`${file} is damaged: its arrays do not have ${S} (alphas, curves) and ${S}×${S} (grids) values.`);
  }
  return body;
}
