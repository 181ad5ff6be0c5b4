/**
 * The shape of src/: no import cycles, type-only imports, re-exports and dynamic
 * import() included. A cycle ties two modules that should not know each other (the CLI's
 * data helpers and a command, the train loop and its search pool were such pairs).
 */
import fs from 'node:fs';
import path from 'node:path';
import { root } from './helpers/cli.js';

const SRC = path.join(root, 'src');
const IMPORT =
  /(?:^|\n)\s*(?:import|export)\b[^'"]*?from\s*['"](\.{1,2}\/[^'"]+)['"]|import\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)|(?:^|\n)\s*import\s*['"](\.{1,2}\/[^'"]+)['"]/g;

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sources(p) : e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

/** Each file of src/ and the files of src/ it imports. */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sources(SRC)) {
    const deps: string[] = [];
    for (const m of fs.readFileSync(file, 'utf8').matchAll(IMPORT)) {
      const target = path.resolve(path.dirname(file), m[1] ?? m[2] ?? m[3]).replace(/\.js$/, '');
      const found = [`${target}.ts`, path.join(target, 'index.ts')].find((f) => fs.existsSync(f));
      if (found) deps.push(found);
    }
    graph.set(file, deps);
  }
  return graph;
}

/** The strongly connected components of more than one file (Tarjan), as paths under src/. */
function cycles(graph: Map<string, string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const out: string[][] = [];
  let n = 0;
  const visit = (v: string) => {
    index.set(v, n);
    low.set(v, n++);
    stack.push(v);
    on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const comp: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        comp.push(path.relative(SRC, w));
      } while (w !== v);
      if (comp.length > 1) out.push(comp.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return out;
}

test('src/ has no import cycles', () => {
  const graph = importGraph();
  expect(graph.size).toBeGreaterThan(50);
  expect(cycles(graph)).toEqual([]);
});

test('the cycle finder finds a cycle', () => {
  const g = new Map([
    [path.join(SRC, 'a.ts'), [path.join(SRC, 'b.ts')]],
    [path.join(SRC, 'b.ts'), [path.join(SRC, 'c.ts')]],
    [path.join(SRC, 'c.ts'), [path.join(SRC, 'a.ts')]],
    [path.join(SRC, 'd.ts'), [path.join(SRC, 'a.ts')]],
  ]);
  expect(cycles(g)).toEqual([['a.ts', 'b.ts', 'c.ts']]);
});

/** The folder under src/ a file belongs to ('' for src/ itself, 'cli/commands' for a command). */
const placeOf = (file: string): string => {
  const rel = path.relative(SRC, file).split(path.sep);
  if (rel.length === 1) return '';
  const two = `${rel[0]}/${rel[1]}`;
  return ['cli/commands', 'board/client', 'board/server', 'model/losses'].includes(two) ? two : rel[0];
};

test('src/ is folders: at most a handful of files at its root', () => {
  const loose = fs.readdirSync(SRC).filter((f) => f.endsWith('.ts'));
  expect(loose.sort()).toEqual(['index.ts', 'version.ts']);
});

test('each command is one file under cli/commands/, and no command imports another', () => {
  const graph = importGraph();
  const crossing = [...graph].flatMap(([file, deps]) =>
    placeOf(file) === 'cli/commands'
      ? deps.filter((d) => placeOf(d) === 'cli/commands').map((d) => `${path.basename(file)} → ${path.basename(d)}`)
      : [],
  );
  expect(crossing).toEqual([]);
});

test('the edges stay edges: nothing imports the CLI, and only the CLI, the board and the library entry import the reporters', () => {
  const edges = new Set(['cli', 'cli/commands', 'report', 'board/server', '']);
  const graph = importGraph();
  const wrong = [...graph].flatMap(([file, deps]) =>
    deps
      .filter((d) => {
        const from = placeOf(file);
        const to = placeOf(d);
        if (to.startsWith('cli')) return !from.startsWith('cli');
        return to === 'report' && !edges.has(from);
      })
      .map((d) => `${path.relative(SRC, file)} → ${path.relative(SRC, d)}`),
  );
  expect(wrong).toEqual([]);
});

/** What each folder may import besides itself (docs/architecture.md has the same table); version.ts is free to all. */
const MAY_IMPORT: Record<string, readonly string[]> = {
  core: [],
  config: ['core', 'kernels'],
  data: ['core', 'kernels'],
  kernels: ['core', 'data', 'model'],
  model: ['core', 'config', 'kernels'],
  optimizers: ['core', 'config', 'kernels', 'model'],
  training: ['core', 'config', 'kernels', 'model', 'optimizers'],
  features: ['core', 'kernels', 'model'],
  sweep: ['core', 'config', 'data', 'kernels', 'model', 'training'],
  report: ['core', 'config', 'kernels', 'model', 'training', 'sweep'],
  board: ['core', 'config', 'model', 'report'],
};

test("the board's browser code imports only browser-safe code: itself, core/ and the model's losses and penalty", () => {
  const graph = importGraph();
  const client = [...graph.keys()].filter((f) => placeOf(f) === 'board/client');
  expect(client.length).toBeGreaterThan(3);
  // Everything the bundle reaches, followed through every import.
  const reached = new Set<string>();
  const visit = (f: string) => {
    if (reached.has(f)) return;
    reached.add(f);
    for (const d of graph.get(f) ?? []) visit(d);
  };
  for (const f of client) visit(f);
  const allowed = (f: string) =>
    ['board/client', 'core', 'model/losses'].includes(placeOf(f)) || f.endsWith(path.join('model', 'regularizers.ts'));
  expect([...reached].filter((f) => !allowed(f)).map((f) => path.relative(SRC, f))).toEqual([]);
  const node = [...reached].filter((f) => /from\s*['"]node:|require\(/.test(fs.readFileSync(f, 'utf8')));
  expect(node.map((f) => path.relative(SRC, f))).toEqual([]);
});

test('each folder imports only what the table of docs/architecture.md allows', () => {
  const top = (file: string) => placeOf(file).split('/')[0];
  const wrong = [...importGraph()].flatMap(([file, deps]) => {
    const allowed = MAY_IMPORT[top(file)];
    if (!allowed) return []; // cli/ and src/index.ts: the edges take from everything
    return deps
      .filter((d) => top(d) !== top(file) && top(d) !== '' && !allowed.includes(top(d)))
      .map((d) => `${path.relative(SRC, file)} → ${path.relative(SRC, d)}`);
  });
  expect(wrong).toEqual([]);
});
