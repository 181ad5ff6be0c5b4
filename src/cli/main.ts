/**
 * The lintrain command line. Exit codes: 0 done, 2 bad usage or config,
 * 3 --min-val-acc not met, 130 / 143 stopped by SIGINT / SIGTERM, 1 anything else.
 * Errors print one line, no stack; with --log-format json the last line on stdout is
 * then an `error` event (report/events.ts).
 */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { LintrainError } from '../core/errors.js';
import { VERSION } from '../version.js';
import { downloadCommand } from './commands/download.js';
import { setCommand, stdoutEvents, wantsJson } from './events.js';
import { evalCommand } from './commands/eval.js';
import { featuresExtractCommand } from './commands/features.js';
import { gradcheckCommand } from './commands/gradcheck.js';
import { addConfigOptions } from './options.js';
import { reproCommand } from './commands/repro.js';
import { runsCommand, showCommand } from './commands/runs.js';
import { trainOrExperiment } from './step-size.js';
import { addSweepOptions, sweepCommand } from './commands/sweep.js';
import { visualizeCommand } from './commands/visualize.js';

// The help's last lines: what a script needs without opening docs/scripting.md.
const HELP_FOOTER = `
Exit codes: 0 done, 1 fault, 2 bad usage or config, 3 --min-val-acc not met,
  130 / 143 stopped by SIGINT / SIGTERM (the run folder keeps a checkpoint).
Environment: LINTRAIN_DATA (data directory), LINTRAIN_CIFAR10_URL (mirror),
  LINTRAIN_FONTS, LINTRAIN_DEBUG, NO_COLOR. Details: docs/scripting.md`;

const TRAIN_EXAMPLES = `
Examples:
  lintrain --loss svm --opt sgd                 the lecture's SVM with minibatch SGD
  lintrain --loss softmax --lr 1e-6 --reg 5e3   softmax with other hyperparameters
  lintrain --config configs/svm-sgd.json --seed 1
  lintrain --log-format json --min-val-acc 0.35 > run.jsonl   (in CI)
  lintrain --resume runs/2026-12-02-142530-svm-sgd   continue a stopped run
`;

type Action = (cmd: Command) => Promise<number>;

/** A command and every subcommand under it. */
const everyCommand = (cmd: Command): Command[] => [cmd, ...cmd.commands.flatMap(everyCommand)];

function positiveInt(text: string): number {
  const v = Number(text);
  if (!Number.isInteger(v) || v < 1) throw new InvalidArgumentError(`takes a whole number ≥ 1, got '${text}'.`);
  return v;
}

function positiveFloat(text: string): number {
  const v = Number(text);
  if (!(v > 0) || !Number.isFinite(v)) throw new InvalidArgumentError(`takes a number > 0, got '${text}'.`);
  return v;
}

export function buildProgram(run: (action: Action, cmd: Command) => Promise<void>): Command {
  const program = new Command('lintrain')
    .description('Train CS231n linear classifiers (SVM, softmax) on CIFAR-10, fast and exactly.')
    .version(VERSION)
    // A value typed with a newline in it must not break the error over two lines.
    .configureOutput({ outputError: (str, write) => write(str.replace(/\r?\n(?!$)/g, '\\n')) })
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText('after', HELP_FOOTER);

  const train = addConfigOptions(program.command('train', { isDefault: true }))
    .description('train a linear classifier (the default command)')
    .option('--resume <dir>', 'continue the run whose checkpoint is in DIR (written when Ctrl-C or SIGTERM stopped it)');
  train.addHelpText('after', TRAIN_EXAMPLES + HELP_FOOTER);
  train.action(() => run(trainOrExperiment, train));

  const logFormat = () =>
    new Option('--log-format <name>', 'pretty (a table for people) or json (one JSON object per line)')
      .choices(['pretty', 'json'])
      .default('pretty');
  const download = program
    .command('download')
    .description('download CIFAR-10 (binary version) into the data directory, or import an archive with --from')
    .option('--from <file>', 'import this cifar-10-binary.tar.gz instead of downloading')
    .option('--data <dir>', 'data directory (env LINTRAIN_DATA; default data/)')
    .option('--quiet', 'no progress bar')
    .addOption(logFormat());
  download.action(() => run(downloadCommand, download));

  const gradcheck = addConfigOptions(program.command('gradcheck'), [
    'loss',
    'delta',
    'reg',
    'regType',
    'l1Ratio',
    'regBias',
    'initScale',
    'numDev',
    'seed',
    'data',
    'download',
    'logFormat',
    'quiet',
  ])
    .description('compare the analytic gradient with a numerical one (float64, centered differences)')
    .addOption(new Option('--checks <k>', 'entries of W to check').argParser(positiveInt).default(10))
    .addOption(new Option('--h <x>', 'finite-difference step').argParser(positiveFloat).default(1e-5))
    .option('--synthetic', 'use generated data instead of CIFAR-10');
  gradcheck.action(() => run(gradcheckCommand, gradcheck));

  const evaluate = addConfigOptions(program.command('eval'), ['data', 'download', 'backend', 'threads', 'logFormat', 'quiet'])
    .description('accuracy of a saved model on the test split')
    .requiredOption('--model <file>', 'a model written by --save');
  evaluate.action(() => run(evalCommand, evaluate));

  const sweep = addSweepOptions(program.command('sweep')).description(
    'hyperparameter search: a grid (--lr 1e-7,5e-7) or log-uniform samples (--lr 1e-8:1e-5 --samples 30), in parallel',
  );
  sweep.action(() => run(sweepCommand, sweep));

  const repro = addConfigOptions(program.command('repro'), [
    'numTrain',
    'numVal',
    'numTest',
    'numDev',
    'data',
    'download',
    'backend',
    'threads',
    'logFormat',
    'quiet',
  ])
    .description('run every lecture preset in configs/ and print the lecture table, sanity figures and gradient checks')
    .option('--quick', 'smoke test: far fewer iterations and tries, small splits')
    .addOption(new Option('--seeds <n>', 'seeds per experiment (default: 5 for searches, 3 for SGD; --quick 2)').argParser(positiveInt))
    .addOption(new Option('--jobs <n>', 'runs at once (default: all cores)').argParser(positiveInt))
    .option('--only <presets>', 'run only these presets, e.g. svm-sgd,random-search');
  repro.action(() => run(reproCommand, repro));

  const runs = program
    .command('runs')
    .description('list the run folders (oldest first): date, loss, optimizer, lr, reg, validation, test, status')
    .option('--dir <dir>', 'where the run folders are', 'runs')
    .addOption(logFormat());
  runs.action(() => run(runsCommand, runs));

  const show = program
    .command('show')
    .description('print one run folder: config, results, loss chart, per-class accuracy and confusion matrix, files')
    .argument('<dir>', 'a run folder')
    .addOption(logFormat());
  show.action((dir: string) => run((cmd) => showCommand(dir, cmd), show));

  const visualize = program
    .command('visualize')
    .description("draw the learned templates (each class's row of W as a 32×32 image) of a saved model, as a PNG")
    .requiredOption('--model <file>', 'a model written by a run (model.json) or by --save')
    .option('--out <file>', 'the PNG to write (default: the model file with .templates.png)')
    .addOption(logFormat());
  visualize.action(() => run(visualizeCommand, visualize));

  const features = program.command('features').description('compute features once and store them (see `features extract --help`)');
  const extract = addConfigOptions(features.command('extract'), [
    'features',
    'centroids',
    'kmeansPatches',
    'kmeansIters',
    'numTrain',
    'numVal',
    'numTest',
    'seed',
    'data',
    'download',
    'backend',
    'threads',
    'logFormat',
    'quiet',
  ])
    .description('extract hog-color or kmeans features for train, val and test and write them to a feature file')
    .requiredOption('--out <file>', 'the feature file to write');
  extract.action(() => run(featuresExtractCommand, extract));

  // Each option belongs to the command it follows. Otherwise the root (or `features`)
  // reads on through its subcommand's arguments and takes a value such as the "-V" of
  // `--out -V` for its own -V (print the version) or -h. So the subcommands answer
  // -V themselves, wherever it stands among their options.
  program.enablePositionalOptions();
  features.enablePositionalOptions();
  for (const cmd of everyCommand(program).slice(1)) cmd.version(VERSION);
  // The events' format line names the command ("features extract"), and comes first.
  program.hook('preAction', (_root, action) => {
    setCommand(commandPath(action));
    if (action.opts().logFormat === 'json') stdoutEvents().begin();
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
  const run = async (action: Action, cmd: Command) => {
    code = await action(cmd);
  };
  const program = buildProgram(run);
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
