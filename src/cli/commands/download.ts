/** `lintrain download [--from FILE]`: get the official archive, or import one you have. */
import type { Command } from 'commander';
import { resolveDataDir } from '../../data/locate.js';
import { fetchData } from '../pixel-data.js';
import { stdoutEvents } from '../events.js';
import { type Act, logFormatOption } from '../options.js';
import { makeReporter } from '../reporter.js';

export function define(parent: Command, act: Act): Command {
  const cmd = parent
    .command('download')
    .description('download CIFAR-10 (binary version) into the data directory, or import an archive with --from')
    .option('--from <file>', 'import this cifar-10-binary.tar.gz instead of downloading')
    .option('--data <dir>', 'data directory (env LINTRAIN_DATA; default data/)')
    .option('--quiet', 'no progress bar')
    .addOption(logFormatOption());
  return cmd.action(() => act(downloadCommand, cmd));
}

export async function downloadCommand(cmd: Command): Promise<number> {
  const { from, data, quiet, logFormat } = cmd.opts() as { from?: string; data?: string; quiet?: boolean; logFormat: 'pretty' | 'json' };
  const reporter = makeReporter(logFormat, Boolean(quiet));
  const dir = await fetchData(resolveDataDir(data), from ?? null, reporter);
  reporter.close();
  if (logFormat === 'json') stdoutEvents().write('download', { dir, from: from ?? null });
  else process.stdout.write(`CIFAR-10 is ready in ${dir}\n`);
  return 0;
}
