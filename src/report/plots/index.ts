/** The pictures: pure functions from results to SVG text or PNG bytes. Loaded on demand (vega is large). */
export { chartSvg, svgToPng, canDrawText, NO_FONTS_WARNING, FONT, type ChartSpec } from './render.js';
export { lossCurveSpec, accuracySpec, smoothEma, smoothingSpan, strideIndices } from './curves.js';
export { confusionSpec } from './confusion.js';
export { templateImages, templateGridSvg, templateGridPng, gridLayout, rgbPng } from './templates.js';
export { sweepSpec } from './sweep.js';
