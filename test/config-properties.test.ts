/**
 * Property-based tests (fast-check) of the two ways a config comes in: a JSON file
 * (readConfigFile + resolveConfig) and command-line flags (buildProgram, driven in
 * process). Random and mutated inputs must end in a config or in one line that
 * names the key, the value and what is allowed; an accepted config round-trips.
 */
import fs from 'node:fs';
import path from 'node:path';
import { CommanderError, type Command } from 'commander';
import fc from 'fast-check';
import { buildProgram } from '../src/cli/main.js';
import { configOf } from '../src/cli/settings.js';
import { COMBINATIONS, CONSTRAINTS, type Config, type ConfigKey, DEFAULTS, flagOf, OPT_DEFAULTS, OPT_NAMES } from '../src/config/schema.js';
import { readConfigFile, resolveConfig } from '../src/config/resolve.js';
import { LintrainError, UsageError } from '../src/core/errors.js';
import { removeTmpDirs, tmpDir } from './helpers/cifar-fixture.js';

afterAll(removeTmpDirs);
const dir = tmpDir('lintrain-config-props-');
const KEYS = Object.keys(CONSTRAINTS) as ConfigKey[];
const RUNS = { numRuns: 300 };

/** Values that fit a key's constraint, boundaries included. */
function validValue(key: ConfigKey): fc.Arbitrary<unknown> {
  const c = CONSTRAINTS[key];
  switch (c.kind) {
    case 'choice':
      return fc.constantFrom(...c.values);
    case 'boolean':
      return fc.boolean();
    case 'string':
      return fc.option(
        fc.string({ minLength: 1 }).filter((s) => !s.includes('\0')),
        { nil: null },
      );
    case 'number': {
      const num = c.int
        ? fc
            .integer({ min: c.min ?? -(2 ** 31), max: c.max ?? 2 ** 31 - 1 })
            .filter((v) => !(c.minOpen && v === c.min) && !(c.maxOpen && v === c.max))
        : fc.double({ min: c.min, max: c.max, minExcluded: c.minOpen, maxExcluded: c.maxOpen, noNaN: true, noDefaultInfinity: true });
      return c.nullable ? fc.option(num, { nil: null }) : num;
    }
  }
}

/** Near misses and junk: the kind of value a person or a bad script writes. */
const junk: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue(),
  fc.constantFrom(0, -1, 1, 0.5, 1.5, 2 ** 32, -0, 1e308, 5e-324, '', 'svm', 'sgd', '1e-7', true, null, [], {}, { toString: {} }),
);

const anyValue = (key: ConfigKey) => fc.oneof({ weight: 3, arbitrary: validValue(key) }, { weight: 1, arbitrary: junk });

/** A random subset of keys, each with a fitting value or junk; sometimes an unknown key. */
const partialConfig = fc
  .tuple(
    fc.record(Object.fromEntries(KEYS.map((k) => [k, anyValue(k)])), { requiredKeys: [] }),
    fc.option(fc.dictionary(fc.string({ minLength: 1 }), fc.jsonValue(), { maxKeys: 1 }), { freq: 5 }),
  )
  .map(([known, extra]) => ({ ...known, ...(extra ?? {}) }) as Record<string, unknown>);

/** What resolveConfig merges, computed the plain way: the oracle for the messages. */
function merged(file: Record<string, unknown>, flags: Record<string, unknown>): Record<string, unknown> {
  const opt = flags.opt ?? file.opt ?? DEFAULTS.opt;
  const optDefaults = typeof opt === 'string' && Object.hasOwn(OPT_DEFAULTS, opt) ? OPT_DEFAULTS[opt as Config['opt']] : {};
  return { ...DEFAULTS, ...optDefaults, ...file, ...flags };
}

const CHECK_VALUE = /^The '(\w+)' parameter \((--[a-z0-9-]+)\) must be (.+)\. Got (.*) instead\.$/;

/**
 * A rejection is one line, and either names a key of the input with its flag, what
 * is allowed and the value, or is a rule between keys that does hold for the input.
 */
function expectExplained(e: unknown, file: Record<string, unknown>, flags: Record<string, unknown> = {}): void {
  expect(e).toBeInstanceOf(UsageError);
  const msg = (e as Error).message;
  expect(msg).not.toMatch(/[\r\n]/);
  const given = { ...file, ...flags };
  const unknown = /^Unknown config key '(.*)' in .*\. Valid keys: loss, delta, /.exec(msg);
  if (unknown) {
    expect(Object.keys(given).map((k) => JSON.stringify(k).slice(1, -1))).toContain(unknown[1]);
    return;
  }
  const all = merged(file, flags);
  const m = CHECK_VALUE.exec(msg);
  if (m) {
    const key = m[1] as ConfigKey;
    expect(KEYS).toContain(key);
    expect(m[2]).toBe(flagOf(key));
    expect(m[3]).toMatch(
      /^(one of .+|true or false|a non-empty path or null|an? (integer|number) in the range [[(].+, .+[\])]( or null)?)$/,
    );
    // opt is checked first, as given, to pick its defaults
    const seen = [all[key], ...(key === 'opt' ? [flags.opt ?? file.opt ?? DEFAULTS.opt] : [])];
    expect(seen.map((v) => JSON.stringify(v))).toContain(m[4]);
    return;
  }
  const rule = COMBINATIONS.find((r) => r.bad(all as Config) && r.message(all as Config) === msg);
  expect(rule).toBeDefined();
  for (const k of rule!.keys) expect(msg).toContain(flagOf(k));
}

/** An accepted config, written as JSON and read back, resolves to itself. */
function expectRoundTrip(config: Config, name: string): void {
  const file = path.join(dir, name);
  fs.writeFileSync(file, JSON.stringify(config));
  expect(resolveConfig(readConfigFile(file))).toEqual(config);
  expect(resolveConfig({}, JSON.parse(JSON.stringify(config)))).toEqual(config);
}

describe('resolveConfig and readConfigFile (property-based)', () => {
  test('random configs: a config holding every given value, or one line naming the culprit', () => {
    fc.assert(
      fc.property(partialConfig, partialConfig, (file, flags) => {
        let config: Config;
        try {
          config = resolveConfig(file as Partial<Config>, flags as Partial<Config>);
        } catch (e) {
          expectExplained(e, file, flags);
          return;
        }
        const all = merged(file, flags);
        for (const k of KEYS) expect(config[k] === all[k] || (config[k] === 0 && all[k] === 0)).toBe(true);
        expectRoundTrip(config, 'random.json');
      }),
      RUNS,
    );
  });

  test('a valid config with one key mutated: rejected naming that key (or a rule), else the value fits', () => {
    const valid = fc.record(Object.fromEntries(KEYS.map((k) => [k, validValue(k)]))) as fc.Arbitrary<Record<string, unknown>>;
    fc.assert(
      fc.property(valid, fc.constantFrom(...KEYS), junk, (base, key, value) => {
        const file = { ...base, [key]: value };
        try {
          const config = resolveConfig(file as Partial<Config>);
          expect(config[key]).toEqual(value === 0 ? 0 : value);
          expectRoundTrip(config, 'mutated.json');
        } catch (e) {
          expectExplained(e, file);
        }
      }),
      RUNS,
    );
  });

  test('the text of a config file, mutated byte by byte: a config, or one line naming the file or key', () => {
    const text = JSON.stringify({ description: 'a note', loss: 'softmax', lr: 1e-6, reg: 10, batchSize: 64, iters: 20, sample: 'epoch' });
    // JSON's own characters (and line breaks) make the interesting breakages likelier than random code points
    const piece = fc.oneof(
      fc.string({ maxLength: 3, unit: fc.constantFrom(...'{}[]":,\\\n\r 0-.eE9ntfl') }),
      fc.string({ maxLength: 3, unit: 'binary' }),
    );
    const edit = fc.tuple(fc.nat(text.length), fc.nat(3), piece);
    fc.assert(
      fc.property(fc.array(edit, { minLength: 1, maxLength: 4 }), (edits) => {
        let t = text;
        for (const [at, del, ins] of edits) t = t.slice(0, at % (t.length + 1)) + ins + t.slice((at % (t.length + 1)) + del);
        const file = path.join(dir, 'edited.json');
        fs.writeFileSync(file, t);
        try {
          expectRoundTrip(resolveConfig(readConfigFile(file)), 'edited-back.json');
        } catch (e) {
          expect(e).toBeInstanceOf(UsageError);
          const msg = (e as Error).message;
          expect(msg).not.toMatch(/[\r\n]/);
          if (
            !msg.startsWith('The ') &&
            !msg.startsWith('Unknown config key') &&
            !COMBINATIONS.some((r) => msg.includes(flagOf(r.keys[0])))
          ) {
            expect(msg).toContain(file);
          }
        }
      }),
      RUNS,
    );
  });

  test('numeric boundaries are open or closed as the constraint says', () => {
    for (const key of KEYS) {
      const c = CONSTRAINTS[key];
      if (c.kind !== 'number') continue;
      const accepts = (v: number) => {
        try {
          resolveConfig({ [key]: v, ...(key === 'numVal' ? { minValAcc: null } : {}) } as Partial<Config>);
          return true;
        } catch (e) {
          expectExplained(e, { [key]: v });
          return false;
        }
      };
      if (c.min !== undefined) {
        expect([key, accepts(c.min)]).toEqual([key, !c.minOpen]);
        expect([key, accepts(c.min - (c.int ? 1 : 1e-9))]).toEqual([key, false]);
      }
      if (c.max !== undefined) {
        expect([key, accepts(c.max)]).toEqual([key, !c.maxOpen]);
        expect([key, accepts(c.max + (c.int ? 1 : 1e-9))]).toEqual([key, false]);
      }
      for (const v of [NaN, Infinity, -Infinity]) expect(accepts(v)).toBe(false);
      if (c.int) expect(accepts((c.min ?? 0) + 1.5)).toBe(false);
    }
  });

  test('keys inherited by every object are not config keys', () => {
    for (const key of ['constructor', 'toString', 'hasOwnProperty', '__proto__']) {
      const file = JSON.parse(`{"${key}": 1}`);
      expect(() => resolveConfig(file)).toThrow(`Unknown config key '${key}'`);
      const f = path.join(dir, 'proto.json');
      fs.writeFileSync(f, `{"${key}": 1}`);
      expect(() => readConfigFile(f)).toThrow(`Unknown config key '${key}' in ${f}`);
    }
  });
});

describe('impossible combinations are refused before any work, in one line', () => {
  test.each([
    [
      { sample: 'epoch', batchSize: 500, numTrain: 400 },
      '--batch-size 500 is larger than --num-train 400, and --sample epoch draws without replacement: use --batch-size <= 400 or --sample replacement.',
    ],
    [{ minValAcc: 0.3, numVal: 0 }, '--min-val-acc 0.3 needs a validation split, but --num-val is 0: use --num-val >= 1.'],
    [{ opt: 'nesterov', momentum: 0 }, 'Nesterov momentum requires a momentum: --momentum must be in (0, 1) with --opt nesterov. Got 0.'],
    [{ iters: 0 }, "The 'iters' parameter (--iters) must be an integer in the range [1, inf). Got 0 instead."],
    [{ iters: -5 }, "The 'iters' parameter (--iters) must be an integer in the range [1, inf). Got -5 instead."],
    [{ lr: 0 }, "The 'lr' parameter (--lr) must be a number in the range (0, inf). Got 0 instead."],
    [{ loss: 'hinge' }, 'The \'loss\' parameter (--loss) must be one of svm, svm2, softmax, ova2. Got "hinge" instead.'],
    [{ opt: 'newton' }, `The 'opt' parameter (--opt) must be one of ${OPT_NAMES.join(', ')}. Got "newton" instead.`],
    [
      { opt: 'lbfgs' },
      '--opt lbfgs needs a differentiable loss: --loss svm (the hinge) has kinks; use --loss svm2 (squared hinge), ova2 (one-vs-all squared hinge) or softmax.',
    ],
    [
      { opt: 'lbfgs', loss: 'softmax', regType: 'elastic' },
      '--opt lbfgs needs a differentiable penalty: --reg-type elastic has |W| in it; use --reg-type l2 or none.',
    ],
    [{ save: '' }, 'The \'save\' parameter (--save) must be a non-empty path or null. Got "" instead.'],
  ])('%j', (flags, message) => {
    expect(() => resolveConfig({}, flags as Partial<Config>)).toThrow(new UsageError(message));
  });

  test('the same batch with replacement, or for methods without minibatches, is fine', () => {
    expect(resolveConfig({}, { batchSize: 500, numTrain: 400 }).batchSize).toBe(500);
    expect(resolveConfig({}, { sample: 'epoch', batchSize: 500, numTrain: 400, opt: 'gd' }).opt).toBe('gd');
  });
});

// ---- flags, parsed in process by the real commander program ------------------------------

type Parsed = { config: Config } | { error: unknown; stderr: string };

async function parseFlags(argv: string[]): Promise<Parsed> {
  let config: Config | null = null;
  let stderr = '';
  const program = buildProgram(async (_action, cmd: Command) => {
    config = configOf(cmd);
  });
  for (const cmd of [program, ...program.commands]) {
    cmd.exitOverride();
    cmd.configureOutput({
      writeErr: (s) => {
        stderr += s;
      },
      writeOut: () => {},
    });
  }
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    return { error, stderr };
  }
  return { config: config! };
}

const VALUE_KEYS = KEYS.filter((k) => CONSTRAINTS[k].kind !== 'boolean');
const SWITCHES = ['--reg-bias', '--no-download', '--quiet'];

/** How a person types a value: a fitting one, a number near a bound, or anything at all. */
function typed(key: ConfigKey): fc.Arbitrary<string> {
  return fc.oneof(
    validValue(key)
      .filter((v) => v !== null)
      .map((v) => String(v)),
    fc.constantFrom(
      '0',
      '-0',
      '-1',
      '1',
      '1e-7',
      '0.5',
      '1.5',
      '1e400',
      'NaN',
      'Infinity',
      '',
      ' ',
      'svm',
      'x',
      '2.5e4',
      'svm\nx',
      '1\r\n2',
    ),
    fc.string({ maxLength: 6 }),
  );
}

const flagArgs = fc.array(
  fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...VALUE_KEYS).chain((k) => typed(k).map((v) => [flagOf(k), v])) },
    { weight: 1, arbitrary: fc.constantFrom(...SWITCHES).map((s) => [s]) },
  ),
  { maxLength: 6 },
);

describe('command-line flags (property-based, in process)', () => {
  test('random flags: a config holding the last value of each flag, or one line naming the flag and value', async () => {
    await fc.assert(
      fc.asyncProperty(flagArgs, async (pairs) => {
        const argv = pairs.flat();
        const r = await parseFlags(['train', ...argv]);
        if ('config' in r) {
          const last = new Map<string, string>();
          for (const [f, v] of pairs) last.set(f, v);
          for (const [f, v] of last) {
            if (v === undefined) continue;
            const key = VALUE_KEYS.find((k) => flagOf(k) === f)!;
            expect(r.config[key]).toEqual(CONSTRAINTS[key].kind === 'number' ? Number(v) + 0 : v);
          }
          for (const s of SWITCHES)
            if (argv.includes(s))
              expect(r.config[s === '--reg-bias' ? 'regBias' : s === '--quiet' ? 'quiet' : 'download']).toBe(s !== '--no-download');
          expectRoundTrip(r.config, 'flags.json');
          return;
        }
        if (r.error instanceof CommanderError) {
          expect(r.error.exitCode).not.toBe(0);
          const line = r.stderr.split('\n')[0];
          expect(r.stderr.split('\n').filter(Boolean)).toHaveLength(2); // the error, then the --help hint
          const culprit = pairs.find(
            ([f, v]) =>
              v !== undefined && line.includes(`option '${f} `) && line.includes(`argument '${v.replace(/\r?\n/g, '\\n')}' is invalid`),
          );
          expect(culprit).toBeDefined();
          expect(line).toMatch(/Allowed choices are .+\.$|takes a number, got '.*'\.$/);
          return;
        }
        expect(r.error).toBeInstanceOf(LintrainError);
        const flags: Record<string, string | number | boolean> = Object.fromEntries(
          pairs
            .filter((p) => p.length === 2)
            .map(([f, v]) => {
              const key = VALUE_KEYS.find((k) => flagOf(k) === f)!;
              return [key, CONSTRAINTS[key].kind === 'number' ? Number(v) : v];
            }),
        );
        if (argv.includes('--reg-bias')) flags.regBias = true;
        if (argv.includes('--quiet')) flags.quiet = true;
        if (argv.includes('--no-download')) flags.download = false;
        expectExplained(r.error, {}, flags);
      }),
      RUNS,
    );
  });

  test('a value that looks like -V or -h is the value of the option before it', async () => {
    // train named, or implied as in `lintrain --lr -V` (where commander still takes a
    // bare "-h" anywhere for --help, before train sees it)
    const cases = [...['-V', '-V ', '-h', '-hx'].map((v) => [['train'], v] as const), ...['-V', '-V ', '-hx'].map((v) => [[], v] as const)];
    for (const [cmd, v] of cases) {
      const r = await parseFlags([...cmd, '--features-file', v]);
      expect(r).toHaveProperty('config');
      expect((r as { config: Config }).config.featuresFile).toBe(v);
      const bad = (await parseFlags([...cmd, '--lr', v])) as { error: unknown; stderr: string };
      expect(bad.error).toBeInstanceOf(CommanderError);
      expect((bad.error as CommanderError).exitCode).not.toBe(0);
      expect(bad.stderr.split('\n')[0]).toContain(`option '--lr <x>' argument '${v}' is invalid`);
    }
    // -V itself still prints the version, after a subcommand's options too
    for (const argv of [['-V'], ['--loss', 'svm', '-V'], ['train', '--lr', '1e-7', '--version']]) {
      const r = (await parseFlags(argv)) as { error: CommanderError };
      expect(r.error).toBeInstanceOf(CommanderError);
      expect(r.error.code).toBe('commander.version');
      expect(r.error.exitCode).toBe(0);
    }
  });

  test('an unknown flag or a missing value is a commander error on one line', async () => {
    for (const argv of [['--bogus'], ['--lr'], ['--loss']]) {
      const r = await parseFlags(argv);
      expect(r).toHaveProperty('error');
      const { error, stderr } = r as { error: unknown; stderr: string };
      expect(error).toBeInstanceOf(CommanderError);
      expect(stderr.split('\n')[0]).toMatch(/^error: (unknown option '--bogus'|option '--(lr|loss) <\w+>' argument missing)/);
    }
  });
});
