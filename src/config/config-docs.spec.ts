import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { documentedVariables, README_END, README_START, renderEnvExample, renderReadmeTables } from './config-docs';
import { PROVIDER_VARIABLES, ProviderVariable } from './provider-variables';

const ROOT = join(__dirname, '..', '..');
const read = (path: string): string => readFileSync(join(ROOT, path), 'utf8');
const FIX = 'run `npm run config:docs` after changing a declaration in src/config/*-variables.ts';

/** Names the docs mention that belong to someone else, with whose they are. */
const NOT_OURS = new Map([['FUSIONAUTH_APP_KICKSTART_FILE', "FusionAuth's own (docker-compose.yml)"]]);

const declared = new Set(documentedVariables().map((v) => v.name));
const perProvider = new RegExp(`^OIDC_(?:<NAME>|[A-Z][A-Z0-9_]*)_(?:${Object.keys(PROVIDER_VARIABLES).join('|')})$`);
const isDeclared = (name: string): boolean => declared.has(name) || perProvider.test(name);

/** An environment variable's name: upper case with at least one `_` (`OIDC_<NAME>_…` included). */
const NAME = /(?<!\w)[A-Z][A-Z0-9]*(?:_(?:[A-Z0-9]+|<NAME>))+(?!\w)/g;
const namesIn = (text: string): string[] => [...text.matchAll(NAME)].map((m) => m[0]);

/** What a source file reads from the environment, however it spells the read. */
function variablesReadIn(source: string, literalsToo: boolean): string[] {
  const reads = [
    /\b(?:env|vars)(?:\.|\[\s*['"`])([A-Z][A-Z0-9_]*)/g,
    /\{([^{}]*)\}\s*=\s*(?:process\.)?env\b/g,
    /#\{ENV\.([A-Z][A-Z0-9_]*)\}/g,
    ...(literalsToo ? [/(['"`])([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)\1/g] : []),
  ];
  return reads.flatMap((form) => [...source.matchAll(form)].flatMap((m) => namesIn(m[m.length - 1] ?? '')));
}

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.(ts|js)$/.test(e.name) && !/\.spec\.ts$/.test(e.name))
    .map((e) => relative(ROOT, join(e.parentPath, e.name)));
}

/** A Markdown table's rows as trimmed cells, whatever padding Prettier gave them. */
const normalized = (markdown: string): string[] =>
  markdown
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .map((line) =>
      line.startsWith('|')
        ? line
            .split(/(?<!\\)\|/)
            .slice(1, -1)
            .map((c) => c.trim().replace(/^-{3,}$/, '---'))
            .join(' | ')
        : line,
    );

describe('the configuration declarations and their docs', () => {
  it(`are README.md's configuration tables (${FIX})`, () => {
    const readme = read('README.md');
    const start = readme.indexOf(README_START);
    const end = readme.indexOf(README_END);
    expect(start).toBeGreaterThan(-1);
    expect(end).toBeGreaterThan(start);
    expect(normalized(readme.slice(start, end + README_END.length))).toEqual(normalized(renderReadmeTables()));
  });

  it(`are .env.example (${FIX})`, () => {
    expect(read('.env.example')).toBe(renderEnvExample());
  });

  it('leave README.md and .env.example naming no variable that is not declared', () => {
    const readme = read('README.md');
    const inCode = [...readme.matchAll(/`([^`\n]+)`/g)].flatMap((m) => namesIn(m[1]!));
    const named = [...new Set([...inCode, ...namesIn(read('.env.example'))])];
    expect(named.filter((name) => !isDeclared(name) && !NOT_OURS.has(name))).toEqual([]);
    // The check sees what it must: declared names, per-provider ones and others' alike.
    expect(named).toEqual(expect.arrayContaining(['REAUTH_MAX_AGE_S', 'OIDC_<NAME>_ISSUER', 'OIDC_PARTNER_KIND']));
    expect(named).toContain('FUSIONAUTH_APP_KICKSTART_FILE');
  });

  it('declare every variable the code reads (src/, scripts/, the kickstart), so each is documented', () => {
    const files = [...sourceFiles('src'), ...sourceFiles('scripts'), 'kickstart/kickstart.json'];
    const reads = files.flatMap((file) =>
      variablesReadIn(read(file), file.startsWith('src/config/')).map((name) => ({ file, name })),
    );
    // In src/config a provider's field is also named alone (`read('CLIENT_ID')`), typed by its declaration.
    const isField = (name: string) => name in PROVIDER_VARIABLES;
    expect(reads.filter(({ name }) => !isDeclared(name) && !isField(name))).toEqual([]);
    expect(reads.map((r) => r.name)).toEqual(
      expect.arrayContaining(['DEV_IDP_ISSUER', 'OIDC_ISSUER', 'SERVICE_WEBHOOK_URL', 'REDIS_URL']),
    );
  });

  it('find a read however it is spelled', () => {
    const source = [
      "process.env.A_ONE; env['B_TWO']; vars.C_THREE; const { D_FOUR, e } = process.env;",
      '"webhookUrl": "#{ENV.E_FIVE}"',
      "report('F_SIX', 'must be set'); const lower = 'not_a_name';",
    ].join('\n');
    expect(variablesReadIn(source, false)).toEqual(['A_ONE', 'B_TWO', 'C_THREE', 'D_FOUR', 'E_FIVE']);
    expect(variablesReadIn(source, true)).toContain('F_SIX');
  });

  it('give every default in a form its own parser accepts', () => {
    for (const { name, decl } of documentedVariables()) {
      const kickstart = (decl as ProviderVariable).kickstart;
      for (const value of [decl.default, decl.production?.default, kickstart]) {
        if (value !== undefined)
          expect({ name, parsed: decl.parse(value) }).toEqual({ name, parsed: { value: expect.anything() } });
      }
    }
  });

  it('mark as secret every variable whose name says it holds one', () => {
    const looksSecret = documentedVariables().filter(({ name }) => /(SECRET|PASSWORD|API_KEY|TOKEN)$/.test(name));
    expect(looksSecret.map((v) => v.name)).toContain('METRICS_TOKEN');
    expect(looksSecret.filter(({ decl }) => !decl.secret).map((v) => v.name)).toEqual([]);
  });

  it('document each variable in one line', () => {
    for (const { name, decl } of documentedVariables()) {
      expect({ name, doc: decl.doc.length > 0 && !decl.doc.includes('\n') }).toEqual({ name, doc: true });
    }
  });
});
