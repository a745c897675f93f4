import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The project's root: the nearest folder above this file with a package.json. Found rather than
 * counted, so the helpers work from test/support/ (Jest) and from the benchmark's compiled copy
 * (dist/bench/test/support/) alike.
 */
function findRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json above ${from}`);
  }
}

export const ROOT = findRoot(__dirname);
/** The compiled service (`npm run build`). */
export const MAIN = join(ROOT, 'dist', 'main.js');
export const KICKSTART = join(ROOT, 'kickstart', 'kickstart.json');
