/** `lintrain visualize --model FILE [--save FILE.png]`: the learned templates of a saved model, as one labelled PNG. */
import { type Command, Option } from 'commander';
import { writeFileAtomic } from '../../core/atomic.js';
import { loadModel } from '../../model/file.js';
import { stdoutEvents } from '../events.js';
import { type Act, addRenamedOption, logFormatOption } from '../options.js';

export function define(parent: Command, act: Act): Command {
  const cmd = parent
    .command('visualize')
    .description("draw the learned templates (each class's row of W as a 32×32 image) of a saved model, as a PNG")
    .requiredOption('--model <file>', 'a model written by a run (model.json) or by --save')
    .addOption(logFormatOption());
  addRenamedOption(cmd, new Option('--save <file>', 'the PNG to write (default: the model file with .templates.png)'), '--out <file>');
  return cmd.action(() => act(visualizeCommand, cmd));
}

/** runs/x/model.json → runs/x/model.templates.png */
export const templatesFileFor = (model: string): string => model.replace(/(\.json)?$/i, '.templates.png');

export async function visualizeCommand(cmd: Command): Promise<number> {
  const { model: file, save: out, logFormat } = cmd.opts() as { model: string; save?: string; logFormat: 'pretty' | 'json' };
  const model = loadModel(file);
  const target = out ?? templatesFileFor(file);
  const plots = await import('../../report/plots/index.js');
  writeFileAtomic(target, plots.templateGridPng(model.W, model.classNames), 'the templates picture');
  const { width, height } = plots.gridLayout(4);
  if (logFormat === 'json') {
    stdoutEvents().write('visualize', { model: file, out: target, width, height });
  } else {
    process.stdout.write(`templates of ${file} written to ${target} (${width}×${height})\n`);
  }
  if (!plots.canDrawText()) process.stderr.write(`warning: ${plots.NO_FONTS_WARNING}\n`);
  return 0;
}
