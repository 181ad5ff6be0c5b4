/**
 * SVG → PNG with resvg (no browser, no canvas). resvg draws text only with fonts it
 * can load: a sans-serif font file found once in the usual font folders (so that
 * every picture does not scan all the system's fonts again), else the system's fonts,
 * plus any folder or file named in LINTRAIN_FONTS.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { renderAsync, Resvg, type ResvgRenderOptions } from '@resvg/resvg-js';

import { FONT } from './svg.js';

export { chartSvg, FONT, type Chart } from './svg.js';

/** The font files tried, in the order of FONT's families, with their bold faces. */
const SANS = [
  ['LiberationSans-Regular.ttf', 'LiberationSans-Bold.ttf'],
  ['Arial.ttf', 'Arial Bold.ttf'],
  ['arial.ttf', 'arialbd.ttf'],
  ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf'],
  ['NotoSans-Regular.ttf', 'NotoSans-Bold.ttf'],
  ['FreeSans.ttf', 'FreeSansBold.ttf'],
];
const FONT_ROOTS = [
  '/usr/share/fonts',
  '/usr/local/share/fonts',
  path.join(os.homedir(), '.local/share/fonts'),
  path.join(os.homedir(), '.fonts'),
  '/Library/Fonts',
  '/System/Library/Fonts',
  'C:\\Windows\\Fonts',
];

/** Every file under the roots by name (the first of each), down to a few levels: font folders are shallow. */
function fontFilesByName(roots: readonly string[]): Map<string, string> {
  const found = new Map<string, string>();
  const walk = (dir: string, depth: number) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = path.join(dir, e.name);
      if (e.isDirectory() && depth < 4) walk(p, depth + 1);
      else if (!found.has(e.name)) found.set(e.name, p);
    }
  };
  for (const r of roots) walk(r, 0);
  return found;
}

let fonts: NonNullable<ResvgRenderOptions['font']> | null = null;

function fontOptions(): NonNullable<ResvgRenderOptions['font']> {
  if (fonts) return fonts;
  const extra = (process.env.LINTRAIN_FONTS ?? '').split(path.delimiter).filter(Boolean);
  const isDir = (p: string) => fs.existsSync(p) && fs.statSync(p).isDirectory();
  const fontDirs = extra.filter(isDir);
  const fontFiles = extra.filter((p) => fs.existsSync(p) && !isDir(p));
  const byName = fontFilesByName(FONT_ROOTS);
  const sans = SANS.find(([regular]) => byName.has(regular));
  fonts = sans
    ? { loadSystemFonts: false, fontDirs, fontFiles: [...fontFiles, ...sans.filter((f) => byName.has(f)).map((f) => byName.get(f)!)] }
    : { loadSystemFonts: true, fontDirs, fontFiles };
  return fonts;
}

const options = (scale: number): ResvgRenderOptions => ({
  font: fontOptions(),
  background: 'white',
  fitTo: scale === 1 ? { mode: 'original' } : { mode: 'zoom', value: scale },
});

/** An SVG document → PNG bytes; `scale` > 1 renders sharper (2: twice the SVG's pixel size). */
export function svgToPng(svg: string, scale = 1): Uint8Array {
  return new Resvg(svg, options(scale)).render().asPng();
}

/**
 * The same, drawn on one of libuv's threads: several pictures draw at once, beside the
 * JavaScript that goes on meanwhile. resvg's own encoder then compresses the pixels on
 * this thread (20–40 ms a chart at twice its size). Taking the pixels out and compressing
 * them on libuv's threads instead (png.ts) saved about 30 ms of a run, but the copy of
 * each picture's pixels it needs added 25 MB to the run's peak memory.
 */
export async function svgToPngAsync(svg: string, scale = 1): Promise<Uint8Array> {
  return (await renderAsync(svg, options(scale))).asPng();
}

let fontsChecked: boolean | null = null;

/**
 * Can resvg draw text on this machine? Renders one word and looks for ink. When it
 * cannot, the PNGs come out without labels (the SVGs keep them), and the CLI says so.
 */
export function canDrawText(): boolean {
  if (fontsChecked === null) {
    const probe =
      '<svg xmlns="http://www.w3.org/2000/svg" width="80" height="30">' +
      `<text x="4" y="22" font-family="${FONT}" font-size="20">cat</text></svg>`;
    const img = new Resvg(probe, { font: fontOptions(), background: 'white' }).render();
    const px = img.pixels;
    let ink = 0;
    for (let i = 0; i < px.length; i += 4) if (px[i] < 128) ink++;
    fontsChecked = ink > 0;
  }
  return fontsChecked;
}

export const NO_FONTS_WARNING =
  'no fonts found for the PNG pictures, so their text is missing (the SVG files have it): ' +
  'install a font package (e.g. fonts-dejavu-core) or point LINTRAIN_FONTS at a folder of .ttf files.';
