/**
 * Stop and resume for the two searches: a search stopped between blocks, saved to a
 * checkpoint file and resumed ends bit for bit where the search that never stopped
 * ends, with the same per-try events — after every block, on both backends, and with
 * local search's drawn-but-untried steps carried over.
 */
import fs from 'node:fs';
import path from 'node:path';
import { CHECKPOINT_FILE, loadCheckpoint, saveCheckpoint } from '../src/training/checkpoint.js';
import type { Config } from '../src/config/schema.js';
import { resolveConfig } from '../src/config/resolve.js';
import { createJsKernels } from '../src/kernels/js.js';
import type { Kernels } from '../src/kernels/types.js';
import { createWasmKernels } from '../src/kernels/wasm/backend.js';
import type { SearchState } from '../src/optimizers/search.js';
import { C, DB } from '../src/core/shapes.js';
import { isSearchState, train, trainResumable, type TrainEvent } from '../src/training/trainer.js';
import { removeTmpDirs, tmpDir } from './helpers/cifar-fixture.js';
import { learnableDataset } from './helpers/learnable.js';

afterAll(removeTmpDirs);

const data = learnableDataset(60, 20, 20);
const bytes = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
const base = { backend: 'js' as const, evalEvery: 0, seed: 3, numTrain: 60 };

// Few tries, as each draws 30,730 normals (slow under jest): random search scores blocks
// of 16 and 2; local search blocks of up to 4, shorter after an accepted try, with the
// rest of the block's steps kept for the next.
const CASES: Array<[string, Partial<Config>]> = [
  ['random-search', { opt: 'random-search', iters: 18 }],
  ['random-local, svm', { opt: 'random-local', iters: 10, stepSize: 2e-4 }],
  ['random-local, softmax', { opt: 'random-local', iters: 10, stepSize: 1e-4, loss: 'softmax' }],
];

/** The run stopped after `blocks` steps, its state written to a checkpoint file and read back. */
async function stoppedAfter(config: Config, kernels: Kernels, blocks: number) {
  let asked = 0;
  const events: TrainEvent[] = [];
  const r = await trainResumable(config, data, kernels, (e) => events.push(e), { shouldStop: () => asked++ >= blocks });
  const dir = tmpDir();
  saveCheckpoint(dir, {
    config,
    state: r.state,
    metrics: { losses: [], evals: [], trainSec: 0 },
    kernels: kernels.id,
    stoppedBy: 'SIGINT',
  });
  return { r, events, saved: loadCheckpoint(dir) };
}

describe.each([
  ['js', async () => createJsKernels()],
  ['wasm', () => createWasmKernels({ threads: 2 })],
] as Array<[string, () => Promise<Kernels>]>)('searches stop and resume on the %s backend', (_name, make) => {
  let kernels: Kernels;
  beforeAll(async () => {
    kernels = await make();
  });
  afterAll(() => kernels.dispose());

  test.each(CASES)('%s: after every block, bit-identical to the run that never stopped', async (_label, flags) => {
    const config = resolveConfig(base, flags);
    const whole: TrainEvent[] = [];
    const W = train(config, data, kernels, (e) => whole.push(e));
    expect(whole).toHaveLength(config.iters);
    let withPending = 0;
    let stops = 0;
    for (let blocks = 0; ; blocks++) {
      const { r, events, saved } = await stoppedAfter(config, kernels, blocks);
      if (!r.stopped) break;
      stops++;
      const state = saved.state as SearchState;
      expect(isSearchState(state)).toBe(true);
      expect(state.search).toBe(config.opt);
      expect(state.iter).toBe(events.length); // stopped between blocks: every try begun was reported
      expect(state.steps.length % (C * DB)).toBe(0);
      if (state.steps.length > 0) withPending++;
      // the file round-trips exactly (Infinity for "no best yet" included); arrays as bytes, which jest compares fast
      const { W: w0, steps: s0, ...rest0 } = r.state as SearchState;
      const { W: w1, steps: s1, ...rest1 } = state;
      expect(rest1).toEqual(rest0);
      expect(bytes(w1).equals(bytes(w0)) && bytes(s1).equals(bytes(s0))).toBe(true);
      const rest: TrainEvent[] = [];
      const b = await trainResumable(config, data, kernels, (e) => rest.push(e), { from: saved.state });
      expect(b.stopped).toBe(false);
      expect(b.state.iter).toBe(config.iters);
      expect(bytes(b.W).equals(bytes(W))).toBe(true);
      expect([...events, ...rest]).toEqual(whole); // the same tries, losses, accuracies and best losses, in order
    }
    // local search must have been stopped with drawn steps still to try, or the test proves less than it says
    if (config.opt === 'random-local') expect(withPending).toBeGreaterThan(0);
    expect(stops).toBeGreaterThanOrEqual(2);
  });
});

test('state: random search keeps the best W and loss; a resumed search may be given more tries', async () => {
  const kernels = createJsKernels();
  for (const opt of ['random-search', 'random-local'] as const) {
    const config = resolveConfig(base, { opt, iters: 6, stepSize: 2e-4 });
    const losses: number[] = [];
    const a = await trainResumable(config, data, kernels, (e) => e.event === 'val' || losses.push(e.loss));
    const s = a.state as SearchState;
    expect(s.iter).toBe(6);
    if (opt === 'random-search') expect(s.bestLoss).toBe(Math.min(...losses));
    expect(bytes(s.W).equals(bytes(a.W))).toBe(true);
    const longer = { ...config, iters: 13 };
    const b = await trainResumable(longer, data, kernels, () => {}, { from: s });
    expect(bytes(b.W).equals(bytes(train(longer, data, kernels, () => {})))).toBe(true);
  }
});

test('a saved state of the other kind is refused', async () => {
  const kernels = createJsKernels();
  const search = resolveConfig(base, { opt: 'random-search', iters: 3 });
  const sgd = resolveConfig(base, { opt: 'sgd', iters: 3, batchSize: 8 });
  const local = resolveConfig(base, { opt: 'random-local', iters: 3 });
  const s = (await trainResumable(search, data, kernels, () => {})).state;
  const g = (await trainResumable(sgd, data, kernels, () => {})).state;
  await expect(trainResumable(sgd, data, kernels, () => {}, { from: s })).rejects.toThrow(/random-search run, not sgd/);
  await expect(trainResumable(search, data, kernels, () => {}, { from: g })).rejects.toThrow(/gradient run, not random-search/);
  await expect(trainResumable(local, data, kernels, () => {}, { from: s })).rejects.toThrow(/random-search run, not random-local/);
});

test('a damaged search checkpoint: one line naming the file and the field', async () => {
  const kernels = createJsKernels();
  const config = resolveConfig(base, { opt: 'random-local', iters: 10, stepSize: 2e-4 });
  // biome-ignore lint/suspicious/noExplicitAny: a parsed checkpoint file
  let found: Record<string, any> | null = null;
  for (let blocks = 1; !found; blocks++) {
    const { r, saved } = await stoppedAfter(config, kernels, blocks);
    if (!r.stopped) throw new Error('no stop with pending steps');
    if ((saved.state as SearchState).steps.length === 0) continue;
    const dir = tmpDir();
    saveCheckpoint(dir, saved);
    found = JSON.parse(fs.readFileSync(path.join(dir, CHECKPOINT_FILE), 'utf8'));
  }
  const body = found;
  expect(body).toMatchObject({ version: 2, kind: 'search', search: { name: 'random-local', pending: expect.any(Number) } });
  const variant = (change: (b: typeof body) => void) => {
    const f = path.join(tmpDir(), CHECKPOINT_FILE);
    const b = structuredClone(body);
    change(b);
    fs.writeFileSync(f, JSON.stringify(b));
    return () => loadCheckpoint(f);
  };
  expect(variant((b) => (b.search.pending += 1))).toThrow(
    /checkpoint\.json: search\.steps holds \d+ bytes, expected \d+ values of 4 bytes\.$/,
  );
  expect(variant((b) => (b.search.name = 'random-search'))).toThrow(
    /checkpoint\.json: the search state is missing or damaged; the checkpoint cannot be resumed\.$/,
  );
  expect(variant((b) => delete b.search)).toThrow(/the search state is missing or damaged/);
  expect(variant((b) => (b.kind = 'gradient'))).toThrow(/the kind \("gradient" for --opt random-local\) is missing or damaged/);
});
