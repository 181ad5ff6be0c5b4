import * as lt0 from "./bench/lintrain_side.mjs"; const api = await lt0.loadApi();
import * as lt from './bench/lintrain_side.mjs';
const r = await lt.kmeansPipeline(api, { batchDir: '/tmp/lt-data/cifar-10-batches-bin', threads: 2 }, 'wasm');
console.log(JSON.stringify(r));
