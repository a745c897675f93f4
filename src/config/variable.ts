import { redactUrl } from './redact';

/** A parsed value, or why the text is not one (completed by the reader with what was given). */
export type Parsed<T> = { readonly value: T } | { readonly error: string };

/** Text to value; `example` is the variable's default, for messages that show a valid form. */
export type Parser<T> = (raw: string, example?: string) => Parsed<T>;

/** Where a variable sits in the README table and `.env.example`. */
export type VariableGroup =
  'service' | 'provider' | 'session' | 'redis' | 'revocation' | 'webhook' | 'limits' | 'operations' | 'dev IdP';

export interface ProductionRule<T> {
  /** The default in production, where it differs from the development default. */
  readonly default?: string;
  /**
   * Why the value given (undefined: not set) is refused in production; undefined when it is fine.
   * `shown` is the value as a message may show it (`(got "…")`, or redacted).
   */
  refuse?(given: T | undefined, shown: string): string | undefined;
  /** The rule as the docs state it, also for a rule that is cross-variable code in load-config.ts. */
  readonly doc: string;
}

/**
 * One environment variable, declared once: its parser (validation and type), its default, its
 * production rule, whether it is secret and its documentation. The loader, the README table and
 * `.env.example` all derive from these declarations.
 */
export interface Variable<T = unknown, D extends string | undefined = string | undefined> {
  readonly parse: Parser<T>;
  /** The default, written as it would be in the environment, and parsed like a given value. */
  readonly default: D;
  /** How the default reads in the docs when it is not one plain value (derived, generated, …). */
  readonly defaultDoc?: string;
  readonly production?: ProductionRule<T>;
  /** A secret's value never appears in a message or a log line. */
  readonly secret: boolean;
  /** One line: what it means (Markdown). */
  readonly doc: string;
  readonly group: VariableGroup;
  /** For `.env.example`, commented out, when there is no default to show. */
  readonly example?: string;
}

export interface VariableOptions<T, D extends string | undefined> {
  readonly default?: D;
  readonly defaultDoc?: string;
  readonly production?: ProductionRule<T>;
  readonly secret?: boolean;
  readonly doc: string;
  readonly group: VariableGroup;
  readonly example?: string;
}

export function variable<T, D extends string | undefined = undefined>(
  parse: Parser<T>,
  options: VariableOptions<T, D>,
): Variable<T, D> {
  return { ...options, parse, default: options.default as D, secret: options.secret ?? false };
}

/** The value type a declaration yields: with a default it is always there. */
export type ValueOf<V> = V extends Variable<infer T, infer D> ? (D extends string ? T : T | undefined) : never;

/** Shows what was given, except for secrets; credentials inside a URL are masked. */
export function describeValue(secret: boolean, value: string | undefined): string {
  if (value === undefined) return '(not set)';
  if (secret) return '(value redacted)';
  return `(got "${redactUrl(value)}")`;
}
