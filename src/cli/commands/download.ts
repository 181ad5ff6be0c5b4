/** `lintrain download [--from FILE]`: get the official archive, or import one you have. */
import type { Command } from 'commander';
import { resolveDataDir } from '../../data/locate.js';
import { fetchData } from '../pixel-data.js';
import { stdoutEvents } from '../events.js';
import { makeReporter } from '../reporter.js';

export async function downloadCommand(cmd: Command): Promise<number> {
  const { from, data, quiet, logFormat } = cmd.opts() as { from?: string; data?: string; quiet?: boolean; logFormat: 'pretty' | 'json' };
  const reporter = makeReporter(logFormat, Boolean(quiet));
  const dir = await fetchData(resolveDataDir(data), from ?? null, reporter);
  reporter.close();
  if (logFormat === 'json') stdoutEvents().write('download', { dir, from: from ?? null });
  else process.stdout.write(`CIFAR-10 is ready in ${dir}\n`);
  return 0;
}
