import { assertBuilt } from '../support/service-process';
import { npmPack } from './adopter-install';

/** What an adopter downloads: the compiled code and its types, the views and static files, README and licence. */
const SHIPPED = [
  /^package\.json$/,
  /^README\.md$/,
  /^LICENSE$/,
  /^dist\/(?!dev-idp\/|bench\/)[\w/.-]+(?<!\.spec)\.(js|d\.ts)$/,
  /^views\/[\w/-]+\.hbs$/,
  /^public\/[\w/-]+\.css$/,
];

describe('the package npm pack makes', () => {
  let files: string[];

  beforeAll(async () => {
    assertBuilt();
    files = (await npmPack(['--dry-run'])).files.map((f) => f.path);
  }, 60_000);

  it('holds only what an adopter needs', () => {
    expect(files.filter((path) => !SHIPPED.some((pattern) => pattern.test(path)))).toEqual([]);
  });

  it('holds the public entry, its types, the views and the licence', () => {
    expect(files).toEqual(
      expect.arrayContaining([
        'dist/index.js',
        'dist/index.d.ts',
        'dist/fusionauth-guard.module.d.ts',
        'views/layout.hbs',
        'views/partials/header.hbs',
        'public/app.css',
        'LICENSE',
        'README.md',
      ]),
    );
  });

  it('leaves out the sources, tests, specs, the dev IdP, the benchmark, source maps and env files', () => {
    const leaked = files.filter((path) =>
      /^(src|test|bench|scripts|kickstart)\/|\.spec\.|\.map$|(^|\/)\.env|^dist\/(dev-idp|bench)\//.test(path),
    );
    expect(leaked).toEqual([]);
  });
});
