/**
 * `lintrain board`'s HTTP server: the page and its bundled assets, and a read-only JSON
 * API over the run folders under --dir, with server-sent event streams for what grows
 * (the runs table, a run's curves). No route writes anything.
 *
 * Only four kinds of path lead to files: the assets (a fixed list read at start), a run
 * folder's name as listed by RunsIndex, a file directly in such a folder, and a sweep's
 * trials/<index>.jsonl by its index (digits only). Names are looked up, never joined
 * blindly, so `..`, encoded or not, and links out of --dir find nothing and get 404.
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { MetricsLog } from './metrics.js';
import { inside, RunsIndex } from './runs.js';

export interface BoardOptions {
  dir: string;
  port: number;
  host: string;
  /** the folder of index.html, app.js and board.css (dist/board/assets) */
  assets: string;
  /** how often the streams look for changes, ms */
  pollMs?: number;
}

export interface Board {
  url: string;
  server: http.Server;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.jsonl': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.txt': 'text/plain; charset=utf-8',
};
const MAX_POINTS = 5000;
const KEEP_LOGS = 64; // metrics files kept parsed in memory

const json = (res: http.ServerResponse, status: number, body: unknown): void => {
  const text = JSON.stringify(body, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v));
  res.writeHead(status, { 'Content-Type': TYPES['.json'], 'Cache-Control': 'no-store' });
  res.end(text);
};

const notFound = (res: http.ServerResponse): void => json(res, 404, { error: 'not found' });

/** A file name that is one plain entry of a folder: no separators, no `.`/`..`, no NUL. */
const plainName = (name: string) => name !== '' && !name.startsWith('.') && !/[/\\\0]/.test(name);

function readJson(file: string): unknown {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}

/** A sweep's trial lines (results.jsonl), the lines before any fault. */
function readTrials(file: string): unknown[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  const out: unknown[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const e = JSON.parse(line);
      if (e.event === 'trial' || e.event === 'run') out.push(e);
    } catch {
      break;
    }
  }
  return out;
}

export function startBoard(options: BoardOptions): Promise<Board> {
  const root = fs.realpathSync(options.dir);
  const index = new RunsIndex(root);
  const pollMs = options.pollMs ?? 1000;
  const assets = new Map<string, string>();
  for (const f of fs.readdirSync(options.assets)) assets.set(f, path.join(options.assets, f));
  const logs = new Map<string, MetricsLog>();
  const streams = new Set<http.ServerResponse>();

  /** The parsed log of a file, kept by its path (a run's metrics, a sweep's trial). */
  const logOf = (file: string, label?: string): MetricsLog => {
    let log = logs.get(file);
    if (log)
      logs.delete(file); // re-inserted: the map's order is the order of use
    else log = new MetricsLog(file, label);
    logs.set(file, log);
    if (logs.size > KEEP_LOGS) logs.delete(logs.keys().next().value!);
    return log;
  };

  /** A run's folder by name, only if listed and still inside --dir. */
  const runFolder = (name: string): string | null => {
    if (!plainName(name)) return null;
    const dir = index.folder(name);
    return dir && inside(root, dir);
  };

  const sendFile = (req: http.IncomingMessage, res: http.ServerResponse, file: string, download = false): void => {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(file);
    } catch {
      notFound(res);
      return;
    }
    if (!stat.isFile()) {
      notFound(res);
      return;
    }
    const headers: http.OutgoingHttpHeaders = {
      'Content-Type': TYPES[path.extname(file)] ?? 'application/octet-stream',
      'Content-Length': stat.size,
      'Cache-Control': 'no-cache',
    };
    if (download) headers['Content-Disposition'] = `attachment; filename="${path.basename(file)}"`;
    res.writeHead(200, headers);
    if (req.method === 'HEAD') res.end();
    else fs.createReadStream(file).pipe(res);
  };

  const progress = (summary: Record<string, unknown> | null, log: MetricsLog | null) => {
    const config = (summary?.config ?? {}) as { iters?: number };
    const iters = typeof config.iters === 'number' ? config.iters : null;
    const done = Math.max(log?.lastIter ?? 0, typeof summary?.itersDone === 'number' ? summary.itersDone : 0);
    const started = typeof summary?.startedAt === 'string' ? Date.parse(summary.startedAt) : Number.NaN;
    const ended = typeof summary?.endedAt === 'string' ? Date.parse(summary.endedAt) : Date.now();
    const elapsedSec = (ended - started) / 1000;
    const etaSec = iters && done > 0 && summary?.status === 'running' ? (elapsedSec / done) * (iters - done) : null;
    return { itersDone: done, iters, elapsedSec: Number.isFinite(elapsedSec) ? elapsedSec : null, etaSec };
  };

  const runDetails = (name: string, dir: string) => {
    const summary = readJson(path.join(dir, 'summary.json')) as Record<string, unknown> | null;
    const files = fs
      .readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isFile() && plainName(e.name))
      .map((e) => ({ name: e.name, size: fs.statSync(path.join(dir, e.name)).size }))
      .sort((a, b) => a.name.localeCompare(b.name));
    const has = (f: string) => files.some((x) => x.name === f);
    return {
      row: index.row(name),
      summary,
      config: readJson(path.join(dir, 'config.json')) ?? summary?.config ?? null,
      files,
      trials: has('results.jsonl') ? readTrials(path.join(dir, 'results.jsonl')) : null,
      landscape: has('landscape.json') ? readJson(path.join(dir, 'landscape.json')) : null,
      progress: progress(summary, null),
    };
  };

  /** A sweep's trials/<index>.jsonl, only for an index of digits whose file is there, inside --dir. */
  const trialFile = (dir: string, index: string): string | null => {
    if (!/^(0|[1-9][0-9]{0,8})$/.test(index)) return null;
    const real = inside(root, path.join(dir, 'trials', `${index}.jsonl`));
    return real && path.dirname(real) === path.join(dir, 'trials') && fs.statSync(real, { throwIfNoEntry: false })?.isFile() ? real : null;
  };

  /** A trial's curves, in the shape of a run's; its progress from its `trial` line (the file is written once it ends). */
  const trialMetrics = async (name: string, dir: string, file: string, at: number, points: number) => {
    const log = logOf(file, `trials/${at}.jsonl`);
    await log.refresh();
    const line = readTrials(path.join(dir, 'results.jsonl')).find((t) => (t as { index?: unknown }).index === at);
    const timeSec = (line as { timeSec?: unknown } | undefined)?.timeSec;
    const done = log.lastIter;
    const progress = { itersDone: done, iters: done, elapsedSec: typeof timeSec === 'number' ? timeSec : null, etaSec: null };
    return { ...log.view(points), progress, status: index.row(name)?.status ?? null };
  };

  const metrics = async (name: string, dir: string, points: number) => {
    const log = logOf(path.join(dir, 'metrics.jsonl'));
    await log.refresh();
    index.noteFault(name, log.damaged);
    const summary = readJson(path.join(dir, 'summary.json')) as Record<string, unknown> | null;
    return { ...log.view(points), progress: progress(summary, log), status: index.row(name)?.status ?? null };
  };

  /** A server-sent event stream: `tick` is called every pollMs and returns events to send (or none). */
  const stream = (req: http.IncomingMessage, res: http.ServerResponse, tick: () => Promise<[string, unknown][]>) => {
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store', Connection: 'keep-alive' });
    res.write('retry: 2000\n\n');
    streams.add(res);
    let busy = false;
    const send = async () => {
      if (busy) return;
      busy = true;
      try {
        for (const [event, data] of await tick()) res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
      } catch {
        // a folder that vanished between two looks: the next tick sees the new state
      } finally {
        busy = false;
      }
    };
    void send();
    const timer = setInterval(send, pollMs);
    const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), 15000);
    req.on('close', () => {
      clearInterval(timer);
      clearInterval(keepAlive);
      streams.delete(res);
    });
  };

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' });
      return void res.end();
    }
    const url = new URL(req.url ?? '/', 'http://board');
    let parts: string[];
    try {
      // Split before decoding, so an encoded slash stays inside one name (and is refused there).
      parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    } catch {
      return notFound(res);
    }
    if (parts.length === 0) return sendFile(req, res, assets.get('index.html')!);
    if (parts[0] === 'assets' && parts.length === 2) {
      const file = assets.get(parts[1]);
      return file ? sendFile(req, res, file) : notFound(res);
    }
    if (parts[0] !== 'api') return notFound(res);
    const [, what, name, sub, file] = parts;
    if (what === 'runs' && parts.length === 2) {
      index.refresh();
      return json(res, 200, { dir: options.dir, runs: index.list() });
    }
    if (what === 'runs-stream' && parts.length === 2) {
      let first = true;
      return stream(req, res, async () => {
        const { changed, gone } = index.refresh();
        if (first) {
          first = false;
          return [['runs', index.list()]];
        }
        return [...changed.map((r): [string, unknown] => ['run', r]), ...gone.map((n): [string, unknown] => ['gone', n])];
      });
    }
    if (what !== 'run' || name === undefined) return notFound(res);
    const dir = runFolder(name);
    if (!dir) return notFound(res);
    const points = Math.max(2, Math.min(MAX_POINTS, Number(url.searchParams.get('points')) || 1000));
    if (parts.length === 3) return json(res, 200, runDetails(name, dir));
    if (sub === 'metrics' && parts.length === 4) return json(res, 200, await metrics(name, dir, points));
    if (sub === 'stream' && parts.length === 4) {
      let last = '';
      return stream(req, res, async () => {
        const view = await metrics(name, dir, points);
        const key = `${view.iters}:${view.val.iter.length}:${view.status}:${view.progress.itersDone}:${view.damaged}`;
        if (key === last) return [];
        last = key;
        return [['metrics', view]];
      });
    }
    if (sub === 'trial' && parts.length === 6 && parts[5] === 'metrics') {
      const trial = trialFile(dir, file);
      return trial ? json(res, 200, await trialMetrics(name, dir, trial, Number(file), points)) : notFound(res);
    }
    if (sub === 'file' && parts.length === 5 && plainName(file)) {
      const real = inside(root, path.join(dir, file));
      return real && path.dirname(real) === dir ? sendFile(req, res, real, url.searchParams.has('download')) : notFound(res);
    }
    return notFound(res);
  };

  const server = http.createServer((req, res) => {
    handle(req, res).catch((e) => {
      if (!res.headersSent) json(res, 500, { error: e instanceof Error ? e.message : String(e) });
      else res.destroy();
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      const address = server.address() as { port: number };
      const host = options.host.includes(':') ? `[${options.host}]` : options.host;
      resolve({
        url: `http://${host}:${address.port}/`,
        server,
        close: () =>
          new Promise<void>((done) => {
            for (const s of streams) s.end();
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
