import type { User } from '@fusionauth/typescript-client';

/** A user as the search index sees it: its own fields, or (inside `nested`) one registration's. */
type Document = Readonly<Record<string, unknown>>;
type Matcher = (doc: Document) => boolean;

/** A query this stand-in does not understand: refused loudly, never matched by guess. */
export class UnsupportedQueryError extends Error {}

/**
 * The subset of Elasticsearch's query DSL that FusionAuth's User Search API takes in `search.query`
 * (apis/users, "Search for Users"; the docs' examples nest `must` arrays one level, so do we):
 * `bool` (must, filter, should, must_not), `nested` on `registrations`, `match`, `multi_match`
 * (`phrase_prefix`) and `match_all`.
 */
export function userQuery(query: unknown): (user: User) => boolean {
  const match = compile(query);
  return (user) => match(documentOf(user));
}

function compile(clause: unknown): Matcher {
  const [kind, ...more] = Object.entries(asObject(clause));
  if (!kind || more.length > 0) throw new UnsupportedQueryError('a clause names exactly one query');
  const [name, value] = kind;
  switch (name) {
    case 'match_all':
      return () => true;
    case 'bool':
      return bool(asObject(value));
    case 'nested':
      return nested(asObject(value));
    case 'match':
      return match(asObject(value));
    case 'multi_match':
      return multiMatch(asObject(value));
    default:
      throw new UnsupportedQueryError(`no ${name} query here`);
  }
}

function bool(value: Record<string, unknown>): Matcher {
  const list = (key: string): Matcher[] => {
    const clauses = value[key];
    if (clauses === undefined) return [];
    return (Array.isArray(clauses) ? clauses.flat() : [clauses]).map(compile);
  };
  const must = [...list('must'), ...list('filter')];
  const should = list('should');
  const mustNot = list('must_not');
  return (doc) =>
    must.every((m) => m(doc)) && !mustNot.some((m) => m(doc)) && (should.length === 0 || should.some((m) => m(doc)));
}

function nested(value: Record<string, unknown>): Matcher {
  if (value.path !== 'registrations') throw new UnsupportedQueryError('only registrations are nested');
  const inner = compile(value.query);
  return (doc) =>
    ((doc.registrations as Document[] | undefined) ?? []).some((registration) =>
      inner(Object.fromEntries(Object.entries(registration).map(([k, v]) => [`registrations.${k}`, v]))),
    );
}

function match(value: Record<string, unknown>): Matcher {
  const [field, ...more] = Object.entries(value);
  if (!field || more.length > 0) throw new UnsupportedQueryError('match names one field');
  const [name, expected] = field;
  const wanted = lower(typeof expected === 'object' && expected ? (expected as { query?: unknown }).query : expected);
  return (doc) => valuesOf(doc, name).some((v) => v === wanted);
}

function multiMatch(value: Record<string, unknown>): Matcher {
  const fields = value.fields;
  if (!Array.isArray(fields) || value.type !== 'phrase_prefix' || typeof value.query !== 'string')
    throw new UnsupportedQueryError('multi_match needs fields, a query and type phrase_prefix');
  const prefix = value.query.trim().toLowerCase();
  return (doc) =>
    fields.some((field) =>
      valuesOf(doc, String(field)).some(
        (v) => v.startsWith(prefix) || v.split(/[\s@.]+/).some((w) => w.startsWith(prefix)),
      ),
    );
}

function documentOf(user: User): Document {
  const fullName = user.fullName ?? ([user.firstName, user.lastName].filter(Boolean).join(' ') || undefined);
  return { ...user, fullName };
}

function valuesOf(doc: Document, field: string): string[] {
  const value = doc[field];
  return (Array.isArray(value) ? value : [value]).flatMap((v) => (v === undefined || v === null ? [] : [lower(v)]));
}

const lower = (value: unknown): string => String(value).toLowerCase();

function asObject(value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new UnsupportedQueryError('a query is a JSON object');
  return value as Record<string, unknown>;
}
