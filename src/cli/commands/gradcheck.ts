/**
 * `lintrain gradcheck`: the analytic gradient against centered differences, in
 * float64 on the js reference kernels, at --checks random entries of W on the
 * dev subset (or generated data with --synthetic). Exits 1 when a check is wrong.
 */
import { type Command, Option } from 'commander';
import { checkObjective, GRADCHECK_THRESHOLDS, maxRelError, syntheticSplit, verdict } from '../../model/gradcheck.js';
import { createJsKernels } from '../../kernels/js.js';
import { lossSpec, makeObjective, regSpec } from '../../model/objective.js';
import { colours } from '../../report/pretty.js';
import { Rng } from '../../core/rng.js';
import { C, DB } from '../../core/shapes.js';
import { openDataset } from '../pixel-data.js';
import { makeReporter } from '../reporter.js';
import { stdoutEvents } from '../events.js';
import { type Act, addConfigOptions, addRenamedOption, positiveFloat, positiveInt } from '../options.js';
import { configOf } from '../settings.js';

export function define(parent: Command, act: Act): Command {
  const cmd = addConfigOptions(parent.command('gradcheck'), [
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
    .option('--synthetic', 'use generated data instead of CIFAR-10');
  // The lecture's h; not --h, which reads like -h.
  addRenamedOption(cmd, new Option('--fd-step <h>', 'finite-difference step h').argParser(positiveFloat).default(1e-5), '--h <x>');
  cmd.addHelpText(
    'after',
    '\nExamples:\n  lintrain gradcheck --loss softmax --reg 1e3\n  lintrain gradcheck --synthetic --loss svm2 --checks 20\n',
  );
  return cmd.action(() => act(gradcheckCommand, cmd));
}

export async function gradcheckCommand(cmd: Command): Promise<number> {
  const config = configOf(cmd);
  const { checks, synthetic, fdStep: h } = cmd.opts() as { checks: number; synthetic?: boolean; fdStep: number };
  const reporter = makeReporter(config.logFormat, config.quiet);
  const kernels = createJsKernels();
  const rng = new Rng(config.seed);
  const { split, mean } = synthetic
    ? syntheticSplit(config.numDev, rng)
    : await openDataset(config, kernels, reporter).then((d) => ({ split: d.dev, mean: d.mean }));
  const reg = regSpec(config);
  const objective = makeObjective(kernels, split, mean, lossSpec(config), reg);
  const W = rng.fillNormal(new Float64Array(C * DB), config.initScale) as Float64Array;
  const { loss, results } = checkObjective(objective, W, checks, rng, h);
  const worst = maxRelError(results);
  const wrong = results.filter((r) => verdict(r.relError) === 'wrong').length;
  reporter.close();
  if (config.logFormat === 'json') {
    stdoutEvents().write('gradcheck', {
      loss: config.loss,
      reg: reg.type,
      strength: reg.strength,
      regBias: reg.includeBias,
      n: split.n,
      synthetic: Boolean(synthetic),
      value: loss,
      h,
      checks: results.map((r) => ({ ...r, verdict: verdict(r.relError) })),
      maxRelError: worst,
      wrong,
    });
    return wrong > 0 ? 1 : 0;
  }

  const c = colours(process.stdout);
  const paint = { good: c.green, ok: c.cyan, suspect: c.yellow, wrong: c.red };
  const out: string[] = [
    `gradient check: ${config.loss} loss, ${reg.type} reg ${reg.strength}${reg.includeBias ? ' (bias too)' : ''}, ` +
      `${split.n} ${synthetic ? 'synthetic' : 'dev'} images, loss ${loss.toFixed(6)}, h ${h}`,
  ];
  for (const r of results) {
    const v = verdict(r.relError);
    const where = `W[${r.row}, ${r.col === DB - 1 ? 'bias' : r.col}]`.padEnd(14);
    out.push(
      `  ${where} analytic ${r.analytic.toExponential(6).padStart(14)}  numeric ${r.numeric.toExponential(6).padStart(14)}  ` +
        paint[v](`relative error ${r.relError.toExponential(2)} ${v}`),
    );
  }
  out.push(
    `max relative error ${worst.toExponential(2)} (≤${GRADCHECK_THRESHOLDS.good} good, >${GRADCHECK_THRESHOLDS.wrong} wrong)` +
      (wrong > 0 ? c.red(`: ${wrong} of ${results.length} checks are wrong`) : ''),
  );
  process.stdout.write(out.join('\n') + '\n');
  return wrong > 0 ? 1 : 0;
}
