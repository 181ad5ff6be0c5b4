/** The pictures: charts as data and SVG text, PNG bytes; nothing is written. Loaded on demand (resvg is a native module). */
export { chartSvg, svgToPng, svgToPngAsync, canDrawText, NO_FONTS_WARNING, FONT, type Chart } from './render.js';
export {
  niceTicks,
  logTicks,
  tickLabel,
  type LineChart,
  type ScatterChart,
  type HeatMap,
  type FieldChart,
  type Series,
  type Axis,
} from './svg.js';
export { lossChart, accuracyChart, smoothEma, smoothingSpan, strideIndices } from './curves.js';
export { confusionChart } from './confusion.js';
export { templateImages, templateGridSvg, templateGridPng, gridLayout, rgbPng } from './templates.js';
export { sweepChart } from './sweep.js';
export { landscapeCurves, landscapeField, examplesText, type SliceData } from './landscape.js';
