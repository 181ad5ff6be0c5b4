/**
 * The lintrain command line. Exit codes: 0 done, 2 bad usage or config,
 * 3 --min-val-acc not met, 130 / 143 stopped by SIGINT / SIGTERM, 1 anything else.
 * Errors print one line, no stack; with --log-format json the last line on stdout is
 * then an `error` event (report/events.ts).
 */
import { Command, CommanderError } from 'commander';
import { LintrainError } from '../core/errors.js';
import { VERSION } from '../version.js';
import * as board from './commands/board.js';
import * as download from './commands/download.js';
import * as evaluate from './commands/eval.js';
import * as features from './commands/features.js';
import * as gradcheck from './commands/gradcheck.js';
import * as landscape from './commands/landscape.js';
import * as repro from './commands/repro.js';
import * as runs from './commands/runs.js';
import * as show from './commands/show.js';
import * as sweep from './commands/sweep.js';
import * as sweepMerge from './commands/sweep-merge.js';
import * as train from './commands/train.js';
import * as visualize from './commands/visualize.js';
import { setCommand, stdoutEvents, wantsJson } from './events.js';
import { type Act, takeRenamedOptions, warnRenamed } from './options.js';

// The help's last lines: what a script needs without opening docs/scripting.md.
const HELP_FOOTER = `
Exit codes: 0 done, 1 fault, 2 bad usage or config, 3 --min-val-acc not met,
  130 / 143 stopped by SIGINT / SIGTERM (the run folder keeps a checkpoint).
Environment: LINTRAIN_DATA (data directory), LINTRAIN_CIFAR10_URL (mirror),
  LINTRAIN_FONTS, LINTRAIN_DEBUG, NO_COLOR. Details: docs/scripting.md`;

/** A command and every subcommand under it. */
const everyCommand = (cmd: Command): Command[] => [cmd, ...cmd.commands.flatMap(everyCommand)];

/** The whole command line: each command defines itself (cli/commands/, one file each). */
export function buildProgram(act: Act): Command {
  const program = new Command('lintrain')
    .description('Train CS231n linear classifiers (SVM, softmax) on CIFAR-10, fast and exactly.')
    .version(VERSION)
    // A value typed with a newline in it must not break the error over two lines.
    .configureOutput({ outputError: (str, write) => write(str.replace(/\r?\n(?!$)/g, '\\n')) })
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText('after', HELP_FOOTER);

  train.define(program, act, HELP_FOOTER);
  for (const command of [download, gradcheck, evaluate, sweep, repro, landscape, runs, show, visualize, board]) {
    const defined = command.define(program, act);
    if (command === sweep) sweepMerge.define(defined, act); // `sweep merge`, a subcommand
  }
  const featureCommands = features.define(program, act);

  // Each option belongs to the command it follows. Otherwise the root (or `features`)
  // reads on through its subcommand's arguments and takes a value such as the "-V" of
  // `--out -V` for its own -V (print the version) or -h. So the subcommands answer
  // -V themselves, wherever it stands among their options.
  program.enablePositionalOptions();
  featureCommands.enablePositionalOptions();
  for (const cmd of everyCommand(program).slice(1)) cmd.version(VERSION);
  // The events' format line names the command ("features extract"), and comes first;
  // then the one-line warnings for flags given by a former name.
  program.hook('preAction', (_root, action) => {
    setCommand(commandPath(action));
    const logFormat = action.opts().logFormat as string | undefined;
    if (logFormat === 'json') stdoutEvents().begin();
    for (const message of takeRenamedOptions(action)) warnRenamed(message, logFormat);
  });

  return program;
}

/** "train", "features extract": a command's name under the root. */
function commandPath(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c?.parent; c = c.parent) names.unshift(c.name());
  return names.join(' ') || 'train';
}

/** The command the arguments name (the default command when none), before parsing them. */
function commandIn(program: Command, args: readonly string[]): Command {
  let cmd = program;
  for (const a of args) {
    const sub = cmd.commands.find((c) => c.name() === a);
    if (!sub) break;
    cmd = sub;
  }
  return cmd === program ? program.commands.find((c) => c.name() === 'train')! : cmd;
}

/** Run the CLI; resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  let code = 0;
  const act: Act = async (action, cmd) => {
    code = await action(cmd);
  };
  const program = buildProgram(act);
  for (const cmd of everyCommand(program)) cmd.exitOverride();
  setCommand(commandPath(commandIn(program, argv.slice(2)))); // until preAction knows for sure
  const failed = (message: string, exitCode: number): number => {
    // json from the command line, or from a --config file's logFormat once a line is out
    if (wantsJson(argv) || stdoutEvents().started) stdoutEvents().write('error', { message, exitCode });
    return exitCode;
  };
  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      // commander has already printed its message; help and version are not errors
      return e.exitCode === 0 ? 0 : failed(e.message.replace(/^error: /, '').replace(/\s+/g, ' '), 2);
    }
    const message = e instanceof Error ? e.message : String(e);
    process.stderr.write(`lintrain: ${message}\n`);
    if (e instanceof LintrainError) return failed(message, e.exitCode);
    if (process.env.LINTRAIN_DEBUG) console.error(e);
    return failed(message, 1);
  }
  return code;
}
