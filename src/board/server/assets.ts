/** Where the bundled page lives once built: dist/board/assets, beside dist/board/server. */
import { fileURLToPath } from 'node:url';

export const ASSETS_DIR = fileURLToPath(new URL('../assets/', import.meta.url));
