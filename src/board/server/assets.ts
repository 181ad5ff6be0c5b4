/** Where the bundled page lives once built: dist/board/assets (scripts/build-board.mjs). */
import { packageFile } from '../../core/package.js';

export const assetsDir = (): string => packageFile('dist', 'board', 'assets');
