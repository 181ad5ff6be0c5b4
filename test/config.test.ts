import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CONSTRAINTS, type ConfigKey, DEFAULTS, EXECUTION_KEYS, flagOf, OPT_DEFAULTS, runConfig } from '../src/config/schema.js';
import { readConfigFile, resolveConfig } from '../src/config/resolve.js';
import { defaultThreads, MAX_THREADS } from '../src/kernels/threads.js';
import { UsageError } from '../src/core/errors.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lintrain-config-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const writeJson = (name: string, body: unknown) => {
  const file = path.join(dir, name);
  fs.writeFileSync(file, typeof body === 'string' ? body : JSON.stringify(body));
  return file;
};

describe('config precedence: defaults < per-optimizer defaults < file < flags', () => {
  test('defaults are the assignment setting', () => {
    const c = resolveConfig();
    expect(c).toMatchObject({ loss: 'svm', opt: 'sgd', lr: 1e-7, reg: 2.5e4, batchSize: 200, iters: 1500, initScale: 1e-4 });
    expect(c).toMatchObject({ numTrain: 49000, numVal: 1000, numTest: 10000, backend: 'wasm' });
  });

  test('a file overrides defaults and flags override the file', () => {
    const file = readConfigFile(writeJson('a.json', { lr: 5e-7, reg: 1e4, loss: 'softmax', description: 'note' }));
    const c = resolveConfig(file, { reg: 3e4 });
    expect(c.lr).toBe(5e-7);
    expect(c.loss).toBe('softmax');
    expect(c.reg).toBe(3e4);
  });

  test('search methods bring their own defaults, which file and flags still override', () => {
    expect(resolveConfig({}, { opt: 'random-search' })).toMatchObject({ iters: 1000, regType: 'none', initScale: 1e-4 });
    expect(resolveConfig({}, { opt: 'random-local' })).toMatchObject({ initScale: 1e-3, stepSize: 1e-4 });
    expect(resolveConfig({ opt: 'random-local', initScale: 5e-3 }, {}).initScale).toBe(5e-3);
    expect(resolveConfig({ opt: 'random-search' }, { iters: 7 }).iters).toBe(7);
    expect(OPT_DEFAULTS.sgd).toBeUndefined();
  });

  test('every shipped config in configs/ resolves', () => {
    const configs = path.join(path.dirname(new URL(import.meta.url).pathname), '..', 'configs');
    const files = fs.readdirSync(configs).filter((f) => f.endsWith('.json'));
    expect(files.length).toBeGreaterThanOrEqual(4);
    for (const f of files) expect(() => resolveConfig(readConfigFile(path.join(configs, f)))).not.toThrow();
  });
});

describe('validation: one message naming the key, its flag, the allowed values and the value', () => {
  test('unknown keys in a file or on the command line', () => {
    const file = writeJson('bad.json', { lr: 1e-7, learningRate: 3 });
    expect(() => readConfigFile(file)).toThrow(UsageError);
    expect(() => readConfigFile(file)).toThrow(/Unknown config key 'learningRate'.*Valid keys: loss, delta/);
    expect(() => resolveConfig({}, { bogus: 1 } as never)).toThrow(/Unknown config key 'bogus' in the command line/);
  });

  test('bad files', () => {
    expect(() => readConfigFile(path.join(dir, 'missing.json'))).toThrow(/Cannot read config file/);
    expect(() => readConfigFile(writeJson('x.json', '{ lr: '))).toThrow(/not valid JSON/);
    expect(() => readConfigFile(writeJson('y.json', '[1, 2]'))).toThrow(/one JSON object/);
  });

  test('messages', () => {
    expect(() => resolveConfig({}, { lr: -1 })).toThrow(
      "The 'lr' parameter (--lr) must be a number in the range (0, inf). Got -1 instead.",
    );
    expect(() => resolveConfig({ loss: 'hinge' as never })).toThrow(
      'The \'loss\' parameter (--loss) must be one of svm, svm2, softmax, ova2. Got "hinge" instead.',
    );
    expect(() => resolveConfig({}, { batchSize: 2.5 })).toThrow(/'batchSize' parameter \(--batch-size\) must be an integer/);
    expect(() => resolveConfig({}, { opt: 'nesterov', momentum: 0 })).toThrow(/Nesterov momentum requires a momentum/);
  });

  // One generic test over every key (scikit-learn's habit): a value of the wrong kind is refused.
  test.each(Object.keys(CONSTRAINTS) as ConfigKey[])('%s refuses a bad value', (key) => {
    const c = CONSTRAINTS[key];
    const bad = c.kind === 'number' ? (c.min !== undefined ? c.min - 1 : 'x') : c.kind === 'string' ? 42 : 'not-a-choice';
    const fn = () => resolveConfig({ [key]: bad } as never);
    expect(fn).toThrow(UsageError);
    expect(fn).toThrow(new RegExp(`'${key}' parameter \\(${flagOf(key)}\\)`));
    expect(() => resolveConfig({ [key]: DEFAULTS[key] } as never)).not.toThrow();
  });
});

describe('--threads: all cores up to the kernels’ limit, a setting of the machine', () => {
  test('the default is min(cores, 64): a 128-core machine runs 64 threads instead of refusing every command', () => {
    expect(defaultThreads(1)).toBe(1);
    expect(defaultThreads(2)).toBe(2);
    expect(defaultThreads(64)).toBe(64);
    expect(defaultThreads(128)).toBe(MAX_THREADS);
    expect(CONSTRAINTS.threads).toMatchObject({ min: 1, max: MAX_THREADS });
    expect(resolveConfig({}, { threads: defaultThreads(256) }).threads).toBe(64);
    expect(() => resolveConfig({}, { threads: 65 })).toThrow(/'threads' parameter \(--threads\) must be an integer in the range \[1, 64\]/);
  });

  test('a run saves its config without it; everything else is kept', () => {
    const c = resolveConfig({}, { threads: 3, lr: 2e-7 });
    const saved = runConfig(c);
    expect(saved).not.toHaveProperty('threads');
    for (const k of EXECUTION_KEYS) expect(saved).not.toHaveProperty(k);
    expect({ ...saved, threads: 3 }).toEqual(c);
  });
});
