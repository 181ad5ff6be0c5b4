/**
 * `lintrain --experiment step-size` (configs/step-size.json): the course notes' one
 * gradient step from one W at step sizes 1e-7 … 1e-1, printed as a table. The train
 * command hands over to it when the config asks for this experiment; repro prints the
 * same table.
 */
import { type Config, runConfig } from '../config/schema.js';
import type { StepSizeResult } from '../training/step-size.js';
import { stepSizeExperiment } from '../training/step-size.js';
import { withData } from './data.js';
import { stdoutEvents } from './events.js';
import { fmtNum, markdownTable, secs } from './table.js';

/** What the experiment was, in one line. */
export function stepSizeSetting(config: Config, nTrain: number): string {
  const reg = config.regType === 'none' || config.reg === 0 ? 'no regularization' : `${config.regType} reg ${fmtNum(config.reg)}`;
  return (
    `${config.loss} loss, ${reg}, W ~ N(0,1)·${fmtNum(config.initScale)} (seed ${config.seed}), ` +
    `gradient on all ${nTrain} training images`
  );
}

/** The table: each step size beside the loss after one step from the original loss. */
export function stepSizeTable(r: StepSizeResult): string {
  const best = r.steps.reduce((b, s) => (s.loss < b.loss ? s : b), { step: 0, loss: r.initialLoss });
  const rows = [
    ['0 (original W)', r.initialLoss.toFixed(4), ''],
    ...r.steps.map((s) => [
      s.step.toExponential().replace('e+', 'e'),
      fmtLoss(s.loss),
      s === best ? 'lowest' : s.loss > r.initialLoss ? 'higher than the original' : 'lower',
    ]),
  ];
  return markdownTable(['step size', 'loss after W − step·dW', ''], rows, [true, true, false]);
}

const fmtLoss = (x: number) => (Math.abs(x) >= 1e6 ? x.toExponential(3) : x.toFixed(4));

/** `lintrain --experiment step-size`: run it, print the table (or its JSON line). */
export async function stepSizeExperimentCommand(config: Config): Promise<number> {
  return withData(config, ({ reporter, kernels, data }) => {
    const t0 = performance.now();
    const bar = reporter.phase('steps   ', 1);
    const result = stepSizeExperiment(config, data, kernels);
    bar.update(1);
    bar.stop();
    const timeSec = (performance.now() - t0) / 1000;
    if (config.logFormat === 'json') {
      stdoutEvents().write('step-size', { ...result, timeSec, kernels: kernels.id, config: runConfig(config) });
    }
    if (!config.quiet) {
      const out = config.logFormat === 'json' ? process.stderr : process.stdout;
      out.write(
        `step-size experiment (CS231n notes, "following the gradient"): ${stepSizeSetting(config, data.train.n)}\n` +
          `‖dW‖ = ${r3(result.gradNorm)}\n\n${stepSizeTable(result)}\n\ndone in ${secs(timeSec)}\n`,
      );
    }
    return 0;
  });
}

const r3 = (x: number) => Number(x.toPrecision(4)).toString();
