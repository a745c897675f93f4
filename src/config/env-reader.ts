import { describeValue, ValueOf, Variable } from './variable';

/** The environment after empty values are dropped and the rest trimmed. */
export type Vars = Readonly<Record<string, string>>;
export type Report = (variable: string, reason: string) => void;

export interface Reading<T> {
  /** The variable read (or, when none was set, the one a message names). */
  readonly name: string;
  /** The value given, else the default; a bad value reads as its default (the start fails anyway). */
  readonly value: T | undefined;
  readonly given: boolean;
  /** Its value was refused: rules that read it stay silent, so one mistake is one problem. */
  readonly bad: boolean;
}

export interface ReadContext {
  readonly vars: Vars;
  readonly production: boolean;
  readonly report: Report;
}

/**
 * Reads `decl` under `name`: the value given, else the default (`fallback` overrides the declared
 * one, `null` means none). A value of the wrong form, and a production refusal, are reported.
 */
export function readVariable<T>(
  decl: Variable<T>,
  name: string,
  { vars, production, report }: ReadContext,
  fallback?: string | null,
): Reading<T> {
  const raw = vars[name];
  const shown = describeValue(decl.secret, raw);
  const defaultRaw = fallback === null ? undefined : (fallback ?? defaultFor(decl, production));
  const byDefault = defaultRaw === undefined ? undefined : parseDefault(decl, name, defaultRaw);
  if (raw === undefined) {
    refuseInProduction(decl, name, undefined, shown, production, report);
    return { name, value: byDefault, given: false, bad: false };
  }
  const parsed = decl.parse(raw, decl.default);
  if ('error' in parsed) {
    report(name, `${parsed.error} ${shown}`);
    return { name, value: byDefault, given: true, bad: true };
  }
  refuseInProduction(decl, name, parsed.value, shown, production, report);
  return { name, value: parsed.value, given: true, bad: false };
}

function defaultFor(decl: Variable, production: boolean): string | undefined {
  return production && decl.production?.default !== undefined ? decl.production.default : decl.default;
}

function refuseInProduction<T>(
  decl: Variable<T>,
  name: string,
  given: T | undefined,
  shown: string,
  production: boolean,
  report: Report,
): void {
  const reason = production ? decl.production?.refuse?.(given, shown) : undefined;
  if (reason !== undefined) report(name, `${reason} (refused in production)`);
}

function parseDefault<T>(decl: Variable<T>, name: string, raw: string): T {
  const parsed = decl.parse(raw);
  // A declaration whose default is not valid is a bug of this service, not a configuration problem.
  if ('error' in parsed) throw new Error(`the default of ${name} is invalid: ${parsed.error}`);
  return parsed.value;
}

export type Values<Table> = { readonly [K in keyof Table]: ValueOf<Table[K]> };

export interface TableReading<Table> {
  readonly values: Values<Table>;
  /** The variables that were set (not left to their default). */
  readonly given: ReadonlySet<keyof Table>;
  /** The variables whose value was refused. */
  readonly bad: ReadonlySet<keyof Table>;
}

/** Reads every variable of a table. */
export function readTable<Table extends Readonly<Record<string, Variable>>>(
  table: Table,
  context: ReadContext,
): TableReading<Table> {
  const values: Record<string, unknown> = {};
  const given = new Set<keyof Table>();
  const bad = new Set<keyof Table>();
  for (const [name, decl] of Object.entries(table)) {
    const reading = readVariable(decl, name, context);
    values[name] = reading.value;
    if (reading.given) given.add(name);
    if (reading.bad) bad.add(name);
  }
  return { values: values as Values<Table>, given, bad };
}
