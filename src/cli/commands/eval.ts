/** `lintrain eval --model FILE`: accuracy of a saved model on the test split. */
import type { Command } from 'commander';
import { resolveConfig } from '../../config/resolve.js';
import { accuracy } from '../../model/evaluate.js';
import { loadModel } from '../../model/file.js';
import { C } from '../../core/shapes.js';
import { withData } from '../data.js';
import { stdoutEvents } from '../events.js';
import { type Act, addConfigOptions, givenFlags } from '../options.js';

export function define(parent: Command, act: Act): Command {
  const cmd = addConfigOptions(parent.command('eval'), ['data', 'download', 'backend', 'threads', 'logFormat', 'quiet'])
    .description('accuracy of a saved model on the test split')
    .requiredOption('--model <file>', 'a model written by a run (model.json) or by --save');
  return cmd.action(() => act(evalCommand, cmd));
}

export async function evalCommand(cmd: Command): Promise<number> {
  const { model: file } = cmd.opts() as { model: string };
  const model = loadModel(file);
  // The split sizes come from the model's own run, so "test" means the same images.
  const config = resolveConfig(
    { numTrain: model.config.numTrain, numVal: model.config.numVal, numTest: model.config.numTest },
    givenFlags(cmd),
  );
  return withData(config, ({ kernels, data }) => {
    // The model's own mean image: preprocessing must match training, not this data.
    const test = accuracy(kernels, data.test, model.mean, model.W);
    const perClass: Record<string, number> = {};
    for (let c = 0; c < C; c++) perClass[model.classNames[c]] = test.perClass[c];
    if (config.logFormat === 'json') {
      stdoutEvents().write('eval', { model: file, n: data.test.n, testAcc: test.acc, perClass, kernels: kernels.id });
    } else {
      const lines = [`${file}: test accuracy ${(100 * test.acc).toFixed(2)}% on ${data.test.n} images`];
      for (const [name, a] of Object.entries(perClass)) lines.push(`  ${name.padEnd(11)} ${(100 * a).toFixed(2)}%`);
      process.stdout.write(lines.join('\n') + '\n');
    }
    return 0;
  });
}
