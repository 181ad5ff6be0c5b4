/**
 * `lintrain runs [DIR]`: the run folders under DIR (default runs/), oldest first so the
 * newest is by the prompt; `--log-format json`: one JSON object per run.
 */
import path from 'node:path';
import { type Command, Option } from 'commander';
import { UsageError } from '../../core/errors.js';
import { RUNS_ROOT, listRuns } from '../../report/run-folder.js';
import { colours } from '../../report/pretty.js';
import { stdoutEvents } from '../events.js';
import { type Act, logFormatOption, warnRenamed } from '../options.js';
import { runRow, when } from '../../report/run-row.js';
import { fmtNum, pct, textTable } from '../table.js';

export function define(parent: Command, act: Act): Command {
  const cmd = parent
    .command('runs')
    .description('list the run folders (oldest first): date, loss, optimizer, lr, reg, validation, test, status')
    .argument('[dir]', `the folder the runs are in (default: ${RUNS_ROOT}/)`)
    // Renamed in 0.3: the folder is an argument, as for `lintrain show DIR`.
    .addOption(new Option('--dir <dir>', 'former spelling of the DIR argument').hideHelp())
    .addOption(logFormatOption());
  return cmd.action((dir?: string) => act((c) => runsCommand(dir, c), cmd));
}

export async function runsCommand(arg: string | undefined, cmd: Command): Promise<number> {
  const { dir: old, logFormat } = cmd.opts() as { dir?: string; logFormat: 'pretty' | 'json' };
  if (old !== undefined && arg !== undefined) throw new UsageError('--dir is the former spelling of the DIR argument; give one of them.');
  if (old !== undefined)
    warnRenamed('--dir DIR is now an argument: lintrain runs DIR; the old spelling will be removed in lintrain 0.4.', logFormat);
  const dir = arg ?? old ?? RUNS_ROOT;
  const rows = listRuns(dir).map((r) => runRow(r.dir, r.summary));
  if (logFormat === 'json') {
    for (const r of rows) stdoutEvents().write('run', r);
    return 0;
  }
  if (rows.length === 0) {
    process.stdout.write(`no runs in ${dir}/\n`);
    return 0;
  }
  const c = colours(process.stdout);
  const paint = (status: string) => (status === 'done' ? c.green : status === 'running' ? c.cyan : c.red)(status);
  const header = ['date', 'folder', 'kind', 'loss', 'optimizer', 'lr', 'reg', 'val', 'test', 'status'];
  const table = rows.map((r) => [
    when(r.startedAt),
    path.basename(r.dir),
    r.kind,
    r.loss,
    r.opt ?? '–',
    fmtNum(r.lr),
    fmtNum(r.reg),
    pct(r.valAcc),
    pct(r.testAcc),
    r.status,
  ]);
  const right = [false, false, false, false, false, true, true, true, true, false];
  const lines = textTable(header, table, right).split('\n');
  // Colour after padding, so escape codes do not upset the column widths.
  const out = lines.map((l, i) => (i === 0 ? c.bold(l) : l.replace(new RegExp(`${rows[i - 1].status}$`), paint)));
  process.stdout.write(out.join('\n') + '\n');
  return 0;
}
