/**
 * Charts are declared as Vega-Lite specs, compiled to Vega and rendered to SVG in
 * Node (no browser, no canvas); resvg turns any SVG into a PNG. resvg draws text
 * only with fonts it can load: the system's (fontconfig's usual folders) plus any
 * folder or file named in LINTRAIN_FONTS.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Resvg, type ResvgRenderOptions } from '@resvg/resvg-js';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

export type ChartSpec = TopLevelSpec;

/**
 * A sans-serif family most machines have, by name: resvg maps the generic
 * `sans-serif` to Arial, and where Arial is missing it falls back to the first font
 * it finds, often a serif one.
 */
export const FONT = 'DejaVu Sans, Liberation Sans, Arial, Helvetica, Noto Sans, FreeSans, sans-serif';

/** The look shared by every chart: white background, readable type. */
const CONFIG = {
  background: 'white',
  font: FONT,
  title: { fontSize: 15 },
  axis: { labelFontSize: 12, titleFontSize: 13 },
  legend: { labelFontSize: 12, titleFontSize: 12, labelLimit: 400 },
};

/** Vega-Lite's compile-time notes would go to the console; nothing below the CLI prints. */
const quiet = vega.logger(vega.None);

/** A Vega-Lite spec → an SVG document (string). */
export async function chartSvg(spec: ChartSpec): Promise<string> {
  const full = { ...spec, config: { ...CONFIG, ...(spec as { config?: object }).config } } as TopLevelSpec;
  const view = new vega.View(vega.parse(compile(full, { logger: quiet }).spec), { renderer: 'none' }).logLevel(vega.None);
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

function fontOptions(): NonNullable<ResvgRenderOptions['font']> {
  const extra = (process.env.LINTRAIN_FONTS ?? '').split(path.delimiter).filter(Boolean);
  const isDir = (p: string) => fs.existsSync(p) && fs.statSync(p).isDirectory();
  return {
    loadSystemFonts: true,
    fontDirs: extra.filter(isDir),
    fontFiles: extra.filter((p) => fs.existsSync(p) && !isDir(p)),
  };
}

/** An SVG document → PNG bytes; `scale` > 1 renders sharper (2: twice the SVG's pixel size). */
export function svgToPng(svg: string, scale = 1): Uint8Array {
  const resvg = new Resvg(svg, {
    font: fontOptions(),
    background: 'white',
    fitTo: scale === 1 ? { mode: 'original' } : { mode: 'zoom', value: scale },
  });
  return resvg.render().asPng();
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
      '<text x="4" y="22" font-family="sans-serif" font-size="20">cat</text></svg>';
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
