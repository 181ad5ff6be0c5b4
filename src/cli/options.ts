/**
 * The flags: one per config key, so every key has exactly one flag (--num-train for
 * numTrain), with its help line from config/help.ts and its default. Values are parsed
 * here and validated once, with the config file, by resolveConfig. Also the options
 * shared by commands, and the former names of renamed flags.
 */
import { type Command, InvalidArgumentError, Option } from 'commander';
import { CONFIG_KEYS, CONSTRAINTS, type Config, type ConfigKey, DEFAULTS, flagOf, isConfigKey } from '../config/schema.js';
import { argOf, defaultText, groupOf, HELP, NEGATED } from '../config/help.js';
import { UsageError } from '../core/errors.js';
import { colours } from '../report/pretty.js';
import { stdoutEvents } from './events.js';

function parseChoice(values: readonly string[]) {
  return (text: string): string => {
    if (!values.includes(text)) throw new InvalidArgumentError(`Allowed choices are ${values.join(', ')}.`);
    return text;
  };
}

function parseNumber(key: ConfigKey) {
  return (text: string): number => {
    const v = Number(text);
    if (text.trim() === '' || !Number.isFinite(v)) {
      throw new InvalidArgumentError(`${flagOf(key)} takes a number, got '${text}'.`);
    }
    return v;
  };
}

/** The config keys each command takes as flags (givenFlags reads only these). */
const configKeysOf = new WeakMap<Command, Set<ConfigKey>>();

/**
 * Add one flag per config key, except those a command does not take. `hidden` keys
 * are taken but not listed: the command refuses them with a message that says why.
 * `defaults`: the command's own defaults where they differ (landscape's reg 0), as its
 * help shows them; the command resolves its config with them (settings.ts configOf).
 */
export function addConfigOptions(
  cmd: Command,
  keys: readonly ConfigKey[] = CONFIG_KEYS,
  hidden: readonly ConfigKey[] = [],
  defaults: Partial<Config> = {},
): Command {
  cmd.option('--config <file>', 'JSON config file (defaults < file < flags)');
  for (const key of [...keys, ...hidden]) {
    const c = CONSTRAINTS[key];
    const flag = flagOf(key);
    let opt: Option;
    if (c.kind === 'boolean') {
      opt = DEFAULTS[key] ? new Option(`--no-${flag.slice(2)}`, NEGATED[key]) : new Option(flag, HELP[key]);
    } else {
      const def = key in defaults ? String(defaults[key]) : defaultText(key);
      const shown = def === null ? '' : ` (default: ${key === 'threads' ? `${DEFAULTS.threads} = ${def}` : def})`;
      opt = new Option(`${flag} ${argOf(key)}`, HELP[key] + shown);
      // Not commander's .choices(): the help line already names them, and the list would
      // repeat it; a wrong value gets the same message.
      if (c.kind === 'choice') opt.argParser(parseChoice(c.values));
      if (c.kind === 'number') opt.argParser(parseNumber(key));
    }
    cmd.addOption(opt.helpGroup(`${groupOf(key)}:`).hideHelp(hidden.includes(key)));
  }
  configKeysOf.set(cmd, new Set([...keys, ...hidden]));
  return cmd;
}

/**
 * The config values given on the command line, so a config file's values survive;
 * a command's own options (--checks, --model, features extract's --save …) are not.
 */
export function givenFlags(cmd: Command): Partial<Config> {
  const out: Record<string, unknown> = {};
  const opts = cmd.opts();
  const keys = configKeysOf.get(cmd) ?? new Set();
  for (const key of Object.keys(opts)) {
    if (isConfigKey(key) && keys.has(key) && cmd.getOptionValueSource(key) === 'cli') out[key] = opts[key];
  }
  return out as Partial<Config>;
}

/** How main runs a command's action: the action's exit code becomes the process's. */
export type Act = (action: (cmd: Command) => Promise<number>, cmd: Command) => Promise<void>;

export function positiveInt(text: string): number {
  const v = Number(text);
  if (!Number.isInteger(v) || v < 1) throw new InvalidArgumentError(`takes a whole number ≥ 1, got '${text}'.`);
  return v;
}

export function positiveFloat(text: string): number {
  const v = Number(text);
  if (!(v > 0) || !Number.isFinite(v)) throw new InvalidArgumentError(`takes a number > 0, got '${text}'.`);
  return v;
}

/** --log-format for the commands that take no other config key. */
export const logFormatOption = (): Option =>
  new Option('--log-format <name>', 'pretty (a table for people) or json (one JSON object per line)')
    .choices(['pretty', 'json'])
    .default('pretty');

/**
 * Flags renamed in 0.3 (one name per meaning across commands). The old spelling still
 * works for one release, hidden from the help, and says so in one warning line.
 */
interface Renamed {
  old: Option;
  now: Option;
}
const renamed = new WeakMap<Command, Renamed[]>();

/** Add `now` to cmd, and `oldFlags` (e.g. '--seeds <n>') as its hidden former name. */
export function addRenamedOption(cmd: Command, now: Option, oldFlags: string): Command {
  const old = new Option(oldFlags, `former name of ${now.long}`).hideHelp();
  if (now.parseArg) old.argParser(now.parseArg);
  cmd.addOption(now).addOption(old);
  renamed.set(cmd, [...(renamed.get(cmd) ?? []), { old, now }]);
  return cmd;
}

/** The warnings for the former names cmd was given, each value moved to its new name. */
export function takeRenamedOptions(cmd: Command): string[] {
  const warnings: string[] = [];
  for (const { old, now } of renamed.get(cmd) ?? []) {
    if (cmd.getOptionValueSource(old.attributeName()) !== 'cli') continue;
    if (cmd.getOptionValueSource(now.attributeName()) === 'cli') {
      throw new UsageError(`${old.long} is the former name of ${now.long}; give one of them.`);
    }
    cmd.setOptionValueWithSource(now.attributeName(), cmd.getOptionValue(old.attributeName()), 'cli');
    warnings.push(`${old.long} is now ${now.long}; the old name will be removed in lintrain 0.4.`);
  }
  return warnings;
}

/** A renamed flag's one line: a `warning` event in JSON mode, and on stderr for people. */
export function warnRenamed(message: string, logFormat: string | undefined): void {
  if (logFormat === 'json') stdoutEvents().write('warning', { message });
  process.stderr.write(`${colours(process.stderr).yellow(`warning: ${message}`)}\n`);
}
