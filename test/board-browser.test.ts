/**
 * lintrain board in a real browser: headless Chromium (Debian's `chromium`), driven by
 * playwright-core. The table lists a fixture folder's runs, a run page draws its curves,
 * a live run's curve grows while it trains, the sweep's points open their runs, the toy
 * demo's loss falls when "step" is pressed. A screenshot of each page is kept in
 * test-results/board/ for people to look at.
 *
 * Without a browser these tests say they were skipped; under CI=true a missing browser
 * fails them (.ci/run installs it).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { type Board, startBoard } from '../src/board/server/server.js';
import { removeTmpDirs, tmpDir } from './helpers/cifar-fixture.js';
import { bin, lintrain as cli, root } from './helpers/cli.js';
import { writeLearnableDir } from './helpers/learnable.js';

const CANDIDATES = [process.env.LINTRAIN_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];
const executable = CANDIDATES.find((p): p is string => !!p && fs.existsSync(p));
const SHOTS = path.join(root, 'test-results', 'board');

if (!executable && process.env.CI !== 'true') {
  test.skip('board in a browser: SKIPPED, no Chromium found (apt-get install chromium, or set LINTRAIN_CHROMIUM)', () => {});
  console.warn('test/board-browser.test.ts: SKIPPED: no Chromium (apt-get install chromium, or set LINTRAIN_CHROMIUM to its path)');
} else {
  describe('lintrain board in Chromium', () => {
    const tmp = tmpDir('lintrain-board-browser-');
    const dataDir = path.join(tmp, 'data');
    const runs = path.join(tmp, 'runs');
    const SMALL = [
      '--data',
      dataDir,
      '--num-train',
      '250',
      '--num-val',
      '50',
      '--num-test',
      '100',
      '--backend',
      'js',
      '--seed',
      '3',
      '--no-plots',
    ];
    let board: Board;
    let browser: Browser;
    let page: Page;

    beforeAll(async () => {
      expect(executable).toBeDefined(); // under CI=true a missing browser is a failure
      writeLearnableDir(dataDir, 60, 100);
      const lintrain = (args: string[]) => expect(cli(args, { cwd: tmp }).code).toBe(0);
      lintrain([
        ...SMALL,
        '--loss',
        'softmax',
        '--lr',
        '1e-6',
        '--reg',
        '10',
        '--iters',
        '300',
        '--eval-every',
        '50',
        '--out',
        path.join(runs, 'softmax'),
      ]);
      lintrain([...SMALL, '--loss', 'svm', '--lr', '1e-7', '--iters', '300', '--eval-every', '50', '--out', path.join(runs, 'svm')]);
      lintrain([
        'sweep',
        ...SMALL,
        '--lr',
        '1e-7,1e-6',
        '--reg',
        '1,1000',
        '--iters',
        '60',
        '--eval-every',
        '10',
        '--out',
        path.join(runs, 'sweep'),
      ]);
      lintrain(['landscape', ...SMALL, '--examples', '1,20', '--steps', '21', '--out', path.join(runs, 'landscape')]);
      fs.mkdirSync(SHOTS, { recursive: true });
      board = await startBoard({ dir: runs, port: 0, host: '127.0.0.1', assets: path.join(root, 'dist', 'board', 'assets'), pollMs: 250 });
      browser = await chromium.launch({ executablePath: executable, args: ['--no-sandbox'] });
      page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      page.on('pageerror', (e) => {
        throw e;
      });
    }, 120_000);

    afterAll(async () => {
      await browser?.close();
      await board?.close();
      removeTmpDirs();
    });

    const shot = (name: string) => page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });

    test('the table lists the fixture runs, and sorts and filters them', async () => {
      await page.goto(board.url);
      await page.waitForSelector('#runs-table tbody tr');
      const names = await page.$$eval('#runs-table tbody tr', (rows) => rows.map((r) => r.getAttribute('data-name')));
      expect([...names].sort()).toEqual(['landscape', 'softmax', 'svm', 'sweep']);
      await page.click('th[data-key="name"]');
      const sorted = await page.$$eval('#runs-table tbody tr', (rows) => rows.map((r) => r.getAttribute('data-name')));
      expect(sorted).toEqual(['landscape', 'softmax', 'svm', 'sweep']); // by name, as localeCompare orders them
      await page.fill('#runs-filter', 'softmax');
      expect(await page.$$eval('#runs-table tbody tr', (rows) => rows.length)).toBe(1);
      await page.fill('#runs-filter', '');
      await shot('runs');
    });

    test('a run page draws its curves, per-class accuracy, confusion matrix and templates', async () => {
      await page.goto(`${board.url}#/run/softmax`);
      await page.waitForSelector('#chart-loss path.curve');
      const points = await page.$$eval('#chart-loss path.curve', (ps) => ps.map((p) => Number(p.getAttribute('data-points'))));
      expect(Math.max(...points)).toBe(300);
      const d = await page.$eval('#chart-loss path.curve', (p) => p.getAttribute('d') ?? '');
      expect(d.split('L').length).toBeGreaterThan(250);
      await page.waitForSelector('#confusion rect.cell');
      expect(await page.$$eval('#confusion rect.cell', (cells) => cells.length)).toBe(100);
      await page.waitForSelector('#templates canvas');
      expect(await page.$$eval('#templates canvas', (c) => c.length)).toBe(10);
      expect(await page.$$eval('#run-files a', (a) => a.map((x) => x.textContent))).toContain('model.json');
      await shot('run');
    });

    test('compare overlays the selected runs and marks the keys that differ', async () => {
      await page.goto(board.url);
      await page.waitForSelector('#runs-table tbody tr');
      for (const name of ['softmax', 'svm']) await page.check(`tr[data-name="${name}"] input[type=checkbox]`);
      await page.click('#runs-compare');
      await page.waitForSelector('#compare-loss path.curve');
      expect(await page.$$eval('#compare-loss path.curve', (p) => p.length)).toBe(2);
      const differing = await page.$$eval('#compare-config tr.differs th', (th) => th.map((t) => t.textContent));
      expect(differing).toEqual(expect.arrayContaining(['loss', 'reg']));
      expect(differing).not.toContain('iters');
      await shot('compare');
    });

    test('a sweep: the lr × reg points, coloured by validation accuracy, open their run', async () => {
      await page.goto(`${board.url}#/run/sweep`);
      await page.waitForSelector('#sweep-scatter circle.point');
      expect(await page.$$eval('#sweep-scatter circle.point', (c) => c.length)).toBe(4);
      expect(await page.$$eval('#sweep-parallel path.row', (c) => c.length)).toBe(4);
      await page.click('#sweep-scatter circle.point >> nth=0');
      await page.waitForSelector('#trial pre');
      expect(await page.textContent('#trial pre')).toMatch(/^lintrain --config sweep\/config.json --lr \S+ --reg \S+ --seed \d+$/);
      // Its curves, from the sweep's trials/: the loss, and validation every 10 iterations and at the end.
      await page.waitForSelector('#trial-loss path.curve');
      expect(await page.$$eval('#trial-loss path.curve', (p) => p.length)).toBe(2); // the loss and its smoothed line
      expect(await page.$$eval('#trial-val path.curve', (p) => p.length)).toBe(3); // batch, smoothed, validation
      expect(await page.textContent('#trial h3')).toMatch(/^Run \d+ \(point \d+\)$/);
      // Another run, from its line of the parallel coordinates: its own curves replace the first's.
      const firstId = await page.getAttribute('#sweep-scatter circle.point >> nth=0', 'data-id');
      const otherId = firstId === '3' ? '2' : '3';
      const first = await page.getAttribute('#trial-loss path.curve', 'd');
      await page.dispatchEvent(`#sweep-parallel path.row[data-id="${otherId}"]`, 'click');
      await page.waitForFunction((d) => document.querySelector('#trial-loss path.curve')?.getAttribute('d') !== d, first);
      expect(await page.textContent('#trial h3')).toMatch(new RegExp(`^Run ${Number(otherId) + 1} `));
      await shot('sweep');
    });

    test('a landscape run shows its curves and heat maps', async () => {
      await page.goto(`${board.url}#/run/landscape`);
      await page.waitForSelector('#landscape path.curve');
      expect(await page.$$eval('#landscape path.curve', (p) => p.length)).toBe(2);
      expect(await page.$$eval('#landscape svg.heat', (s) => s.length)).toBe(2);
      await shot('landscape');
    });

    test('a live run: it appears in the open table, and its curve grows while it trains', async () => {
      await page.goto(board.url);
      await page.waitForSelector('#runs-table tbody tr');
      const out = path.join(runs, 'live');
      const child = spawn(
        process.execPath,
        [bin, ...SMALL, '--loss', 'svm', '--lr', '1e-7', '--iters', '1000000', '--eval-every', '500', '--out', out],
        {
          cwd: tmp,
          stdio: 'ignore',
        },
      );
      try {
        const deadline = Date.now() + 60_000;
        // No reload: the table's event stream brings the new run.
        await page.waitForSelector('tr[data-name="live"] .badge.running', { timeout: 30_000 });
        await page.click('tr[data-name="live"] a');
        const iterations = async () =>
          Number(((await page.textContent('#metrics-note')) ?? '').replace(/,/g, '').match(/^(\d+) iterations/)?.[1] ?? 0);
        const seen: number[] = [];
        while (seen.length < 3 && Date.now() < deadline) {
          const n = await iterations();
          if (n > 0 && n !== seen[seen.length - 1]) seen.push(n);
          await new Promise((r) => setTimeout(r, 200));
        }
        expect(seen.length).toBe(3);
        expect(seen[1]).toBeGreaterThan(seen[0]);
        expect(seen[2]).toBeGreaterThan(seen[1]);
        expect(await page.textContent('#run-status')).toBe('running');
        expect(await page.textContent('#run-progress')).toMatch(/to go/);
        await page.waitForSelector('#run-files a:text("metrics.jsonl")');
        await shot('live');
      } finally {
        child.kill('SIGKILL');
      }
    }, 90_000);

    test('the toy demo: the loss falls when "step" is pressed', async () => {
      await page.goto(`${board.url}#/toy`);
      await page.waitForSelector('#toy-total-loss');
      for (const loss of ['svm', 'ova', 'softmax']) {
        await page.selectOption('#toy-loss', loss);
        const before = Number(await page.textContent('#toy-total-loss'));
        await page.click('#toy-step');
        await page.click('#toy-step');
        const after = Number(await page.textContent('#toy-total-loss'));
        expect(Number.isFinite(before)).toBe(true);
        expect(after).toBeLessThan(before);
      }
      expect(await page.$$eval('#toy-table tbody tr', (r) => r.length)).toBe(9);
      await shot('toy');
    });
  });
}
