/**
 * `lintrain board`: the run folders in a browser, read-only and live (board/server/).
 * Prints the URL as its first line on stdout, then serves until Ctrl-C.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { assetsDir } from '../../board/server/assets.js';
import { startBoard } from '../../board/server/server.js';
import { UsageError } from '../../core/errors.js';
import { RUNS_ROOT } from '../../report/run-folder.js';
import type { Act } from '../options.js';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

function port(text: string): number {
  const v = Number(text);
  if (!Number.isInteger(v) || v < 0 || v > 65535) throw new InvalidArgumentError(`takes a port 0–65535 (0: any free port), got '${text}'.`);
  return v;
}

export function define(parent: Command, act: Act): Command {
  const cmd = parent
    .command('board')
    .description('the run folders in a browser, live: runs table, curves, comparison, sweeps, the lecture made visible')
    .argument('[dir]', `the folder the runs are in, as for lintrain runs (default: ${RUNS_ROOT}/)`)
    .option('--dir <dir>', 'the same as the DIR argument')
    .addOption(new Option('--port <n>', 'the port to serve on; 0: any free one (the URL printed says which)').default(8080).argParser(port))
    .option('--host <name>', 'the address to listen on; anything but loopback lets other machines see your runs', '127.0.0.1')
    .option('--open', 'open the board in the default browser')
    .addHelpText(
      'after',
      `
Examples:
  lintrain board                     serve runs/ on http://127.0.0.1:8080/
  lintrain board runs --port 0       any free port; the first line printed is the URL
  lintrain board --dir /scratch/runs --open

The board only reads: no button changes a run folder. Stop it with Ctrl-C.
Exit codes: 0 stopped by Ctrl-C or SIGTERM, 2 a bad --dir or a port in use.`,
    );
  return cmd.action((dir?: string) => act((c) => boardCommand(dir, c), cmd));
}

export async function boardCommand(arg: string | undefined, cmd: Command): Promise<number> {
  const o = cmd.opts() as { dir?: string; port: number; host: string; open?: boolean };
  if (o.dir !== undefined && arg !== undefined && o.dir !== arg) throw new UsageError('give the runs folder once: as DIR or as --dir.');
  const dir = arg ?? o.dir ?? RUNS_ROOT;
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    const given = arg ?? o.dir;
    throw new UsageError(
      given === undefined
        ? `${RUNS_ROOT}/: no such folder here; train a run first (lintrain --out ${RUNS_ROOT}/first), or name the folder: lintrain board DIR.`
        : `--dir ${dir}: no such folder.`,
    );
  }
  if (!LOOPBACK.has(o.host))
    process.stderr.write(`lintrain: warning: serving on ${o.host}: anyone who can reach this machine can read the runs in ${dir}.\n`);
  let board: Awaited<ReturnType<typeof startBoard>>;
  try {
    board = await startBoard({ dir, port: o.port, host: o.host, assets: assetsDir() });
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'EADDRINUSE') throw new UsageError(`--port ${o.port}: the port is in use on ${o.host}.`);
    if (err.code === 'EADDRNOTAVAIL' || err.code === 'ENOTFOUND') throw new UsageError(`--host ${o.host}: not an address of this machine.`);
    if (err.code === 'EACCES') throw new UsageError(`--port ${o.port}: not allowed to listen there (ports below 1024 need root).`);
    throw e;
  }
  process.stdout.write(`${board.url}\n`);
  process.stderr.write(`lintrain board: serving ${dir}; Ctrl-C stops it\n`);
  if (o.open) openBrowser(board.url);
  return new Promise((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      void board.close().then(() => resolve(0));
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

function openBrowser(url: string): void {
  const [command, ...args] =
    process.platform === 'darwin' ? ['open', url] : process.platform === 'win32' ? ['cmd', '/c', 'start', '', url] : ['xdg-open', url];
  const child = spawn(command, args, { stdio: 'ignore', detached: true });
  child.on('error', () => process.stderr.write(`lintrain: warning: could not open a browser (${command}); open ${url} yourself.\n`));
  child.unref();
}
