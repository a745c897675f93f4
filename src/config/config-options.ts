import { Env } from './load-config';
import { PROVIDER_VARIABLES, ProviderField } from './provider-variables';
import { SERVICE_VARIABLES } from './service-variables';

/** `OIDC_CLIENT_ID` → `oidcClientId`: an option is named after its variable. */
export type CamelCase<S extends string> = S extends `${infer Head}_${infer Tail}`
  ? `${Lowercase<Head>}${Capitalize<CamelCase<Tail>>}`
  : Lowercase<S>;

/** What a variable's option takes: its text as in the environment, or the number, flag or list it reads as. */
export type OptionValue = string | number | boolean | readonly string[];

type ServiceName = keyof typeof SERVICE_VARIABLES;
type SingleProviderName = (typeof PROVIDER_VARIABLES)[ProviderField]['single'];

/** One provider of several (`OIDC_<NAME>_<FIELD>`): `{ issuer, clientId, clientSecret, kind, … }`. */
export type ProviderOptions = { readonly [F in ProviderField as CamelCase<F>]?: OptionValue };

/**
 * The configuration in code: one optional key per variable of the README's tables, named in camel
 * case (`OIDC_ISSUER` → `oidcIssuer`), and `providers` for several providers at once. Each value is
 * turned into the variable's text and goes through the same validation as the environment, so a bad
 * value is reported by its variable's name in the same message.
 */
export type ConfigOptions = { readonly [V in ServiceName | SingleProviderName as CamelCase<V>]?: OptionValue } & {
  /** Several providers: the keys are their names (`OIDC_PROVIDERS`), in order; the first is the default. */
  readonly providers?: Readonly<Record<string, ProviderOptions>>;
};

/** Where the configuration comes from: code, the environment, or the environment overridden by code. */
export interface ConfigSource {
  readonly config?: ConfigOptions;
  /** Read `process.env` too, `config` winning over it (default true). */
  readonly fromEnv?: boolean;
}

const camelCase = (name: string): string =>
  name.toLowerCase().replace(/_([a-z0-9])/g, (_match, letter: string) => letter.toUpperCase());

const SERVICE_BY_OPTION = new Map<string, string>(
  [...Object.keys(SERVICE_VARIABLES), ...Object.values(PROVIDER_VARIABLES).map((v) => v.single)].map((name) => [
    camelCase(name),
    name,
  ]),
);
const PROVIDER_FIELD_BY_OPTION = new Map<string, string>(Object.keys(PROVIDER_VARIABLES).map((f) => [camelCase(f), f]));

const asText = (value: OptionValue): string =>
  typeof value === 'string' ? value : Array.isArray(value) ? value.join(',') : String(value);

/**
 * The options as the environment would hold them. An unknown key is an error here rather than a
 * value silently ignored (TypeScript catches it first; this is for configuration from JavaScript or JSON).
 */
export function optionsToEnv(options: ConfigOptions): Env {
  const env: Record<string, string> = {};
  const unknown: string[] = [];
  for (const [key, value] of Object.entries(options)) {
    if (key === 'providers' || value === undefined) continue;
    const name = SERVICE_BY_OPTION.get(key);
    if (name) env[name] = asText(value as OptionValue);
    else unknown.push(key);
  }
  const providers = Object.entries(options.providers ?? {});
  if (providers.length > 0) env.OIDC_PROVIDERS = providers.map(([name]) => name).join(',');
  for (const [provider, fields] of providers) {
    for (const [key, value] of Object.entries(fields)) {
      const field = PROVIDER_FIELD_BY_OPTION.get(key);
      if (!field) unknown.push(`providers.${provider}.${key}`);
      else if (value !== undefined) env[`OIDC_${provider.toUpperCase()}_${field}`] = asText(value);
    }
  }
  if (unknown.length > 0) throw new TypeError(`unknown configuration option(s): ${unknown.join(', ')}`);
  return env;
}
