/**
 * One config from defaults, a config file and flags, validated once:
 * DEFAULTS < OPT_DEFAULTS[opt] < config file < command-line flags.
 */
import fs from 'node:fs';
import { UsageError } from '../core/errors.js';
import { CONSTRAINTS, COMBINATIONS, type Config, type ConfigKey, checkValue, DEFAULTS, isConfigKey, OPT_DEFAULTS } from './schema.js';

/** A key as typed, quoted on one line (a key from a file may hold a newline). */
const quoteKey = (key: string): string => `'${JSON.stringify(key).slice(1, -1)}'`;

function checkKeys(obj: Record<string, unknown>, where: string): void {
  for (const key of Object.keys(obj)) {
    if (!isConfigKey(key)) {
      throw new UsageError(`Unknown config key ${quoteKey(key)} in ${where}. Valid keys: ${Object.keys(CONSTRAINTS).join(', ')}.`);
    }
  }
}

/** Refuse a config that breaks a rule between keys (COMBINATIONS). */
export function checkCombinations(c: Config): void {
  for (const rule of COMBINATIONS) if (rule.bad(c)) throw new UsageError(rule.message(c));
}

/** Read a JSON config file: an object whose keys are config keys. */
export function readConfigFile(file: string): Partial<Config> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : `not readable (${code})`;
    throw new UsageError(`Cannot read config file ${file}: ${why}.`);
  }
  let obj: unknown;
  try {
    obj = JSON.parse(text);
  } catch (e) {
    // V8 quotes a piece of the text, which may span lines: keep the message on one.
    throw new UsageError(`Config file ${file} is not valid JSON: ${(e as Error).message.replace(/\s+/g, ' ')}`);
  }
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) {
    throw new UsageError(`Config file ${file} must hold one JSON object of config keys.`);
  }
  const { description, ...rest } = obj as Record<string, unknown>; // a free-text note is allowed
  if (description !== undefined && typeof description !== 'string') {
    throw new UsageError(`The 'description' of config file ${file} must be a string. Got ${JSON.stringify(description)} instead.`);
  }
  checkKeys(rest, file);
  return rest as Partial<Config>;
}

/** defaults < per-optimizer defaults < file < flags, then every key validated once. */
export function resolveConfig(file: Partial<Config> = {}, flags: Partial<Config> = {}): Config {
  checkKeys(flags, 'the command line');
  const opt = flags.opt ?? file.opt ?? DEFAULTS.opt;
  checkValue('opt', opt);
  checkKeys(file, 'the config file');
  const config = { ...DEFAULTS, ...OPT_DEFAULTS[opt], ...file, ...flags } as Config;
  for (const key of Object.keys(CONSTRAINTS) as ConfigKey[]) {
    checkValue(key, config[key]);
    // -0 and 0 mean the same here, and JSON (models, checkpoints) writes both as 0
    if (config[key] === 0) (config as Record<ConfigKey, unknown>)[key] = 0;
  }
  checkCombinations(config);
  return config;
}
