import { PROVIDER_VARIABLES, ProviderField, ProviderVariable } from './provider-variables';
import { DEV_IDP_VARIABLES, SERVICE_VARIABLES } from './service-variables';
import { Variable, VariableGroup } from './variable';

/**
 * The documentation every declaration yields: README.md's configuration tables and `.env.example`.
 * `npm run config:docs` writes them (scripts/config-docs.js); config-docs.spec.ts fails when they differ.
 */

export const README_START =
  '<!-- configuration tables: generated from src/config/*-variables.ts by `npm run config:docs` -->';
export const README_END = '<!-- end of the generated configuration tables -->';

const GROUPS: Record<VariableGroup, string> = {
  service: 'The service',
  provider: 'The identity provider',
  session: 'Sessions',
  redis: 'Redis',
  revocation: 'Revocation',
  webhook: 'Webhooks',
  limits: 'Rate limits and registration',
  operations: 'Logs, metrics and shutdown',
  'dev IdP': 'The development identity provider (`npm run dev`)',
};

export interface DocumentedVariable {
  readonly name: string;
  readonly decl: Variable | ProviderVariable;
  /** Set for a provider field: `name` is then its single-provider variable. */
  readonly field?: ProviderField;
}

/** Every declared variable, by group in the order of GROUPS, each group in declaration order. */
export function documentedVariables(): DocumentedVariable[] {
  const all: DocumentedVariable[] = [
    ...Object.entries<Variable>(SERVICE_VARIABLES).map(([name, decl]) => ({ name, decl })),
    ...Object.entries<ProviderVariable>(PROVIDER_VARIABLES).map(([field, decl]) => ({
      name: decl.single,
      decl,
      field: field as ProviderField,
    })),
    ...Object.entries<Variable>(DEV_IDP_VARIABLES).map(([name, decl]) => ({ name, decl })),
  ];
  const order = Object.keys(GROUPS);
  return all.sort((a, b) => order.indexOf(a.decl.group) - order.indexOf(b.decl.group));
}

/** The example name the per-provider variables are shown with. */
export const perProviderName = (field: ProviderField, name = '<NAME>'): string => `OIDC_${name}_${field}`;

/** The default as written in the environment: the declared one, else (providers) the kickstart's. */
function literalDefault(decl: Variable | ProviderVariable): string | undefined {
  return decl.default ?? ('kickstart' in decl ? decl.kickstart : undefined);
}

function defaultText(decl: Variable | ProviderVariable): string {
  const literal = literalDefault(decl);
  return decl.defaultDoc ?? (literal === undefined ? '–' : `\`${literal}\``);
}

/** What production adds: a provider's required field has no kickstart default there. */
function productionText(decl: Variable | ProviderVariable): string | undefined {
  const required = 'required' in decl && decl.required === true ? 'required' : undefined;
  const parts = [required, decl.production?.doc].filter((p): p is string => p !== undefined);
  return parts.length === 0 ? undefined : parts.join(', ');
}

const cell = (text: string): string => text.replace(/\|/g, '\\|');
const row = (cells: readonly string[]): string => `| ${cells.map(cell).join(' | ')} |`;

export function renderReadmeTables(): string {
  const lines = [
    README_START,
    '',
    row(['variable', 'default (dev)', 'production', 'meaning']),
    row(['---', '---', '---', '---']),
  ];
  let group: VariableGroup | undefined;
  for (const { name, decl } of documentedVariables()) {
    if (decl.group !== group) lines.push(row([`**${GROUPS[decl.group]}**`, '', '', '']));
    group = decl.group;
    lines.push(row([`\`${name}\``, defaultText(decl), productionText(decl) ?? '–', decl.doc]));
  }
  lines.push('', row(['per provider', 'the first provider falls back to']), row(['---', '---']));
  for (const [field, decl] of Object.entries<ProviderVariable>(PROVIDER_VARIABLES)) {
    lines.push(row([`\`${perProviderName(field as ProviderField)}\``, `\`${decl.single}\``]));
  }
  lines.push('', README_END);
  return lines.join('\n');
}

/** `# ` comment lines of at most `width` characters. */
function comment(text: string, width = 100): string[] {
  const lines: string[] = [];
  let line = '#';
  for (const word of text.split(/\s+/)) {
    if (line.length + 1 + word.length > width && line !== '#') {
      lines.push(line);
      line = '#';
    }
    line += ` ${word}`;
  }
  return [...lines, line];
}

function envEntry({ name, decl }: DocumentedVariable): string[] {
  const production = productionText(decl);
  const text = [
    `${decl.doc.charAt(0).toUpperCase()}${decl.doc.slice(1)}.`,
    decl.defaultDoc === undefined ? '' : `Default: ${decl.defaultDoc}.`,
    production === undefined ? '' : `Production: ${production}.`,
  ];
  const literal = literalDefault(decl);
  const value = literal === undefined ? `# ${name}=${decl.example ?? ''}` : `${name}=${literal}`;
  return [...comment(text.filter(Boolean).join(' ')), value];
}

const ENV_HEADER = [
  '# Every variable the service reads, with its development default (generated from',
  '# src/config/*-variables.ts by `npm run config:docs`: edit those, not this file). Validated once at',
  '# start: on any invalid value the process exits with status 1 and one message naming every bad',
  '# variable. Load this file with `node --env-file=.env dist/main.js` or your process manager.',
];

export function renderEnvExample(): string {
  const lines = [...ENV_HEADER];
  let group: VariableGroup | undefined;
  for (const variable of documentedVariables()) {
    if (variable.decl.group !== group) lines.push('', `# --- ${GROUPS[variable.decl.group]} ---`);
    group = variable.decl.group;
    lines.push(...envEntry(variable));
  }
  lines.push(
    '',
    '# --- Several providers at once ---',
    ...comment(
      'OIDC_PROVIDERS lists them by name; provider <name> reads OIDC_<NAME>_<FIELD>, the first listed ' +
        'falling back to the single-provider variables above. A second FusionAuth posts its webhooks to ' +
        '/webhooks/fusionauth/<name>. For example, for a provider named partner:',
    ),
    ...Object.keys(PROVIDER_VARIABLES).map((field) => `# ${perProviderName(field as ProviderField, 'PARTNER')}=`),
  );
  return `${lines.join('\n')}\n`;
}
