/**
 * The contract with scripts (report/events.ts, schema/lintrain-events.schema.json,
 * docs/scripting.md): every command with --log-format json writes the format line
 * first and then only events of the schema (the CLI helper checks each line of every
 * json-mode run in every test; here each command is run once more side by side), an
 * event name means one thing, failures end with an `error` line carrying the exit code,
 * warnings are events too, and the schema agrees with the code it describes.
 */
import fs from 'node:fs';
import path from 'node:path';
import { CONSTRAINTS, DEFAULTS, EXECUTION_KEYS, runConfig } from '../src/config/schema.js';
import { EVENT_NAMES, EVENTS_FORMAT, EVENTS_VERSION, readEvents } from '../src/report/events.js';
import { readMetrics } from '../src/report/run-folder.js';
import { VERSION } from '../src/version.js';
import { makeArchive } from './helpers/archive.js';
import { removeTmpDirs, tmpDir } from './helpers/cifar-fixture.js';
import { type CliResult, lintrain as cli, root, schema, validEvent } from './helpers/cli.js';
import { writeLearnableDir } from './helpers/learnable.js';

afterAll(removeTmpDirs);

const tmp = tmpDir('lintrain-events-');
const dataDir = path.join(tmp, 'data');
writeLearnableDir(dataDir, 60, 100);
const SMALL = ['--data', dataDir, '--num-train', '250', '--num-val', '50', '--num-test', '100', '--num-dev', '20', '--backend', 'js'];
const JSON_MODE = ['--log-format', 'json'];
const lintrain = (args: string[]) => cli(args, { cwd: tmp });
const names = (r: CliResult) => r.events.map((e) => e.event as string);

describe('the schema and the code say the same', () => {
  test('one event name per meaning, each described by the schema', () => {
    expect(schema.properties.event.enum).toEqual(Object.keys(EVENT_NAMES));
    for (const name of Object.keys(EVENT_NAMES)) expect(schema.$defs[name]).toBeDefined();
    expect(schema.$defs.format.properties.format.const).toBe(EVENTS_FORMAT);
    expect(schema.$defs.format.properties.version.const).toBe(EVENTS_VERSION);
  });

  test('the config of the events: every key of a run, none of the execution settings, the same allowed values', () => {
    const def = schema.$defs.config;
    const keys = Object.keys(runConfig(DEFAULTS));
    expect(Object.keys(def.properties)).toEqual(keys);
    expect(def.required).toEqual(keys);
    for (const k of EXECUTION_KEYS) expect(def.properties).not.toHaveProperty(k);
    for (const key of keys) {
      const c = CONSTRAINTS[key as keyof typeof CONSTRAINTS];
      const p = def.properties[key];
      if (c.kind === 'choice') expect({ key, values: p.enum }).toEqual({ key, values: [...c.values] });
      if (c.kind === 'boolean') expect({ key, type: p.type }).toEqual({ key, type: 'boolean' });
      if (c.kind === 'number') {
        expect({ key, type: p.type }).toEqual({ key, type: c.nullable ? ['number', 'null'] : c.int ? 'integer' : 'number' });
        expect({ key, lo: p[c.minOpen ? 'exclusiveMinimum' : 'minimum'], hi: p[c.maxOpen ? 'exclusiveMaximum' : 'maximum'] }).toEqual({
          key,
          lo: c.min,
          hi: c.max,
        });
      }
      // the default is allowed
      expect({
        key,
        ok: validEvent({
          event: 'start',
          sizes: { train: 1, val: 0, test: 0 },
          config: runConfig(DEFAULTS),
          kernels: 'wasm',
          threads: 1,
          resumedAt: null,
        }),
      }).toEqual({ key, ok: true });
    }
  });

  test("lintrain's version is the package's", () => {
    expect(VERSION).toBe(JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).version);
  });

  test('the schema ships with the package', () => {
    expect(JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).files).toContain('schema');
  });
});

describe('every command, --log-format json', () => {
  const train = lintrain([
    ...SMALL,
    ...JSON_MODE,
    '--iters',
    '20',
    '--eval-every',
    '10',
    '--out',
    path.join(tmp, 'run'),
    '--save',
    path.join(tmp, 'm.json'),
  ]);

  test('train: format, start, iter and val, done', () => {
    expect(train.code).toBe(0);
    expect(names(train)).toEqual(['format', 'start', ...Array(10).fill('iter'), 'val', ...Array(10).fill('iter'), 'done']);
    expect(train.events[0]).toEqual({ event: 'format', format: 'lintrain-events', version: 1, command: 'train', lintrain: VERSION });
  });

  test('train --experiment step-size', () => {
    expect(names(lintrain([...SMALL, ...JSON_MODE, '--experiment', 'step-size']))).toEqual(['format', 'step-size']);
  });

  test('eval, visualize, runs, show', () => {
    expect(names(lintrain(['eval', '--model', path.join(tmp, 'm.json'), '--data', dataDir, ...JSON_MODE]))).toEqual(['format', 'eval']);
    const v = lintrain(['visualize', '--model', path.join(tmp, 'm.json'), '--save', path.join(tmp, 't.png'), ...JSON_MODE]);
    expect(names(v)).toEqual(['format', 'visualize']);
    expect(v.events[0].command).toBe('visualize');
    expect(names(lintrain(['runs', tmp, ...JSON_MODE]))).toEqual(['format', 'run']);
    expect(names(lintrain(['runs', path.join(tmp, 'no-runs-here'), ...JSON_MODE]))).toEqual(['format']); // nothing to list: still the format line
    expect(names(lintrain(['show', path.join(tmp, 'run'), ...JSON_MODE]))).toEqual(['format', 'show']);
  });

  test('gradcheck', () => {
    const r = lintrain(['gradcheck', '--synthetic', '--checks', '3', '--num-dev', '20', ...JSON_MODE]);
    expect(r.code).toBe(0);
    expect(names(r)).toEqual(['format', 'gradcheck']);
    expect(r.events[1].checks).toHaveLength(3);
  });

  test('sweep: a trial per run, then the sweep', () => {
    const r = lintrain([
      'sweep',
      ...SMALL,
      ...JSON_MODE,
      '--iters',
      '5',
      '--lr',
      '1e-7,1e-6',
      '--jobs',
      '1',
      '--no-plots',
      '--out',
      path.join(tmp, 'sweep'),
    ]);
    expect(r.code).toBe(0);
    expect(names(r)).toEqual(['format', 'trial', 'trial', 'sweep']);
  });

  test('landscape', () => {
    const split = ['--data', dataDir, '--num-train', '250', '--num-val', '50', '--num-test', '100', '--backend', 'js'];
    const out = path.join(tmp, 'landscapes', 'one'); // not directly under tmp: `runs tmp` lists one run
    const r = lintrain(['landscape', ...split, ...JSON_MODE, '--examples', '1,5', '--steps', '3', '--no-plots', '--out', out]);
    expect(r.code).toBe(0);
    expect(names(r)).toEqual(['format', 'landscape']);
    expect(r.events[1]).toMatchObject({ runDir: out, steps: 3 });
    expect(names(lintrain(['runs', path.join(tmp, 'landscapes'), ...JSON_MODE]))).toEqual(['format', 'run']);
    expect(names(lintrain(['show', out, ...JSON_MODE]))).toEqual(['format', 'show']);
  });

  test('features extract', () => {
    const split = ['--data', dataDir, '--num-train', '250', '--num-val', '50', '--num-test', '100', '--backend', 'js'];
    const r = lintrain(['features', 'extract', ...split, '--features', 'hog-color', '--save', path.join(tmp, 'f.ltf'), ...JSON_MODE]);
    expect(r.code).toBe(0);
    expect(names(r)).toEqual(['format', 'features']);
    expect(r.events[0].command).toBe('features extract');
  });

  test('download --from an archive that is not the official one: a warning, then download', async () => {
    const { file } = await makeArchive({ seed: 5 });
    const r = lintrain(['download', '--from', file, '--data', path.join(tmp, 'fresh'), ...JSON_MODE]);
    expect(r.code).toBe(0);
    expect(names(r)).toEqual(['format', 'warning', 'download']);
    expect(r.events[1].message).toMatch(/is not the official/);
    expect(r.events[2]).toMatchObject({ dir: path.join(tmp, 'fresh', 'cifar-10-batches-bin'), from: file });
  });
});

describe('failures end with an error line and the exit code', () => {
  test.each([
    ['bad usage (a value)', ['--lr', '-1'], 2, /The 'lr' parameter/],
    ['bad usage (commander)', ['--bogus'], 2, /unknown option '--bogus'/],
    ['missing data', ['--data', '/nonexistent/lintrain', '--no-download'], 1, /No CIFAR-10 data/],
  ])('%s', (_what, args, code, message) => {
    const r = lintrain([...SMALL, ...args, ...JSON_MODE]);
    expect(r.code).toBe(code);
    expect(names(r)).toEqual(['format', 'error']);
    expect(r.events[1]).toMatchObject({ exitCode: code, message: expect.stringMatching(message) });
  });

  test('--min-val-acc not met: the run is done, then the error, exit 3', () => {
    const r = lintrain([...SMALL, ...JSON_MODE, '--iters', '1', '--lr', '1e-12', '--min-val-acc', '0.99', '--no-plots']);
    expect(r.code).toBe(3);
    expect(names(r).slice(-2)).toEqual(['done', 'error']);
    expect(r.events.at(-1)).toMatchObject({ exitCode: 3 });
  });

  test('json asked for by a --config file: the failure still ends with its error line', () => {
    const file = path.join(tmp, 'json.json');
    fs.writeFileSync(file, JSON.stringify({ logFormat: 'json' }));
    const r = cli(['--config', file, ...SMALL, '--iters', '1', '--lr', '1e-12', '--min-val-acc', '0.99', '--no-plots'], { cwd: tmp });
    expect(r.code).toBe(3);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.event).slice(-2)).toEqual(['done', 'error']);
    for (const l of lines) expect(validEvent(l)).toBe(true);
  });

  test('a failure inside another command names that command', () => {
    const r = lintrain(['show', path.join(tmp, 'nowhere'), ...JSON_MODE]);
    expect(r.code).toBe(1);
    expect(r.events.map((e) => [e.event, e.command ?? e.exitCode])).toEqual([
      ['format', 'show'],
      ['error', 1],
    ]);
  });
});

test("lintrain 0.1's metrics.jsonl (no format line, bare iteration lines, eval) reads as version 1", () => {
  const old = '{"iter":1,"loss":2.3,"batchAcc":0.1,"lr":0.001}\n{"event":"eval","iter":1,"valAcc":0.2}\n';
  expect(readEvents(old)).toEqual([
    { event: 'iter', iter: 1, loss: 2.3, batchAcc: 0.1, lr: 0.001 },
    { event: 'val', iter: 1, valAcc: 0.2 },
  ]);
  const dir = tmpDir();
  fs.writeFileSync(path.join(dir, 'metrics.jsonl'), old);
  expect(readMetrics(dir).map((e) => e.event)).toEqual(['iter', 'val']);
  for (const e of readEvents(old)) expect(validEvent(e)).toBe(true);
});
