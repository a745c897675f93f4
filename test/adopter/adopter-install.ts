import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from '../support/paths';

const run = promisify(execFile);

/** The example app's sources (they also compile in `npm run check`, against src/index.ts). */
export const ADOPTER_SOURCES = join(__dirname, 'app');

export interface InstalledAdopter {
  /** The folder holding node_modules/ (the package and its dependencies) and the app. */
  readonly dir: string;
  /** The compiled app's entry point. */
  readonly main: string;
  remove(): void;
}

/** `npm pack --json` (or `--dry-run --json`): what the tarball holds. */
export async function npmPack(args: readonly string[]): Promise<{ filename: string; files: { path: string }[] }> {
  const { stdout } = await run('npm', ['pack', '--json', '--ignore-scripts', ...args], { cwd: ROOT });
  return (JSON.parse(stdout) as { filename: string; files: { path: string }[] }[])[0]!;
}

/**
 * Installs the package as an adopter would, without the network: the tarball `npm pack` makes is
 * unpacked into <tmp>/node_modules/fusionauth-guard, and every other package (@nestjs/* included)
 * is a symlink to the repository's node_modules, so there is exactly one @nestjs/core. The app is
 * then copied beside it and compiled by tsc against the tarball's own type declarations.
 */
export async function installAdopter(): Promise<InstalledAdopter> {
  const dir = mkdtempSync(join(tmpdir(), 'fusionauth-guard-adopter-'));
  try {
    const modules = join(dir, 'node_modules');
    const target = join(modules, 'fusionauth-guard');
    const { filename } = await npmPack(['--pack-destination', dir]);
    mkdirSync(target, { recursive: true });
    await run('tar', ['-xzf', join(dir, filename), '-C', target, '--strip-components=1']);
    for (const entry of readdirSync(join(ROOT, 'node_modules'))) {
      if (entry.startsWith('.') || entry === 'fusionauth-guard') continue;
      symlinkSync(join(ROOT, 'node_modules', entry), join(modules, entry));
    }
    cpSync(ADOPTER_SOURCES, join(dir, 'src'), { recursive: true });
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify(ADOPTER_TSCONFIG, null, 2));
    await compile(dir);
    cpSync(join(ADOPTER_SOURCES, 'views'), join(dir, 'dist', 'views'), { recursive: true });
    return { dir, main: join(dir, 'dist', 'main.js'), remove: () => rmSync(dir, { recursive: true, force: true }) };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

/** tsc on the copied app; its diagnostics (on stdout) become the error. */
async function compile(dir: string): Promise<void> {
  try {
    await run(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', dir], { cwd: dir });
  } catch (error) {
    throw new Error(`the adopter app does not compile against the package:\n${(error as { stdout?: string }).stdout}`, {
      cause: error,
    });
  }
}

/** A Nest app's usual compiler options; `nodenext` resolution honours the package's `exports`. */
const ADOPTER_TSCONFIG = {
  compilerOptions: {
    module: 'nodenext',
    moduleResolution: 'nodenext',
    target: 'ES2022',
    strict: true,
    experimentalDecorators: true,
    emitDecoratorMetadata: true,
    skipLibCheck: true,
    types: ['node'],
    rootDir: 'src',
    outDir: 'dist',
  },
  include: ['src/**/*.ts'],
};
