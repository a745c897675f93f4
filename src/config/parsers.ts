import { isURL, isUUID } from 'class-validator';
import type { RateLimit } from './app-config';
import type { Parsed, Parser } from './variable';

const fail = (error: string): Parsed<never> => ({ error });

/** Any text of at least `minLength` characters. */
export const text =
  (minLength = 1): Parser<string> =>
  (raw) =>
    raw.length >= minLength
      ? { value: raw }
      : fail(minLength === 1 ? 'must not be empty' : `must be at least ${minLength} characters`);

/** Text of one fixed form. */
export const matching =
  (form: RegExp, error: string): Parser<string> =>
  (raw) =>
    form.test(raw) ? { value: raw } : fail(error);

/** One of a fixed set of words. */
export const oneOf =
  <const V extends readonly string[]>(words: V): Parser<V[number]> =>
  (raw) =>
    words.includes(raw) ? { value: raw } : fail(`must be ${alternatives(words)}`);

export const alternatives = (words: readonly string[]): string =>
  words.length === 1 ? words[0]! : `${words.slice(0, -1).join(', ')} or ${words[words.length - 1]!}`;

export const boolean: Parser<boolean> = (raw) => {
  if (raw === 'true' || raw === '1') return { value: true };
  if (raw === 'false' || raw === '0') return { value: false };
  return fail('must be true or false');
};

/** A whole number written plainly (no sign, no leading zero) between `min` and `max`, else `error`. */
export const wholeNumber =
  ({ min, max, error }: { readonly min: number; readonly max: number; readonly error: string }): Parser<number> =>
  (raw) =>
    /^(0|[1-9]\d{0,8})$/.test(raw) && Number(raw) >= min && Number(raw) <= max ? { value: Number(raw) } : fail(error);

export const port: Parser<number> = wholeNumber({ min: 0, max: 65535, error: 'must be a port number (0-65535)' });

/** A positive whole number of seconds, optionally bounded (with the reason for the bound). */
export const seconds = (max?: { readonly limit: number; readonly why: string }): Parser<number> =>
  refine(wholeNumber({ min: 1, max: 999_999_999, error: 'must be a positive whole number of seconds' }), (value) =>
    max && value > max.limit ? `must be at most ${max.limit} (${max.why})` : undefined,
  );

/** `<requests>/<seconds>`; the message shows the variable's default as the example. */
export const rate: Parser<RateLimit> = (raw, example) => {
  const match = /^([1-9]\d{0,8})\/([1-9]\d{0,6})$/.exec(raw);
  if (!match) return fail(`must be <requests>/<seconds>, for example ${example ?? '20/60'}`);
  return { value: { limit: Number(match[1]), windowS: Number(match[2]) } };
};

/** An absolute http(s) URL, kept exactly as written. */
export const httpUrl: Parser<string> = (raw) =>
  isURL(raw, { require_tld: false, require_protocol: true, protocols: ['http', 'https'] })
    ? { value: raw }
    : fail('must be an absolute http(s) URL');

export const uuid =
  (what: string): Parser<string> =>
  (raw) =>
    isUUID(raw, 'all') ? { value: raw } : fail(`must be ${what} (a UUID)`);

/** A list split on `separator`, each entry trimmed and parsed; an empty entry is refused. */
export const list =
  <T>(separator: RegExp | string, entry: Parser<T>, name = 'entry'): Parser<T[]> =>
  (raw) => {
    const values: T[] = [];
    for (const part of raw.split(separator).map((p) => p.trim())) {
      if (part === '') return fail(`has an empty ${name} in its list`);
      const parsed = entry(part);
      if ('error' in parsed) return parsed;
      values.push(parsed.value);
    }
    return { value: values };
  };

/** A parser whose value must also pass `check` (a reason when it does not). */
export const refine =
  <T>(parser: Parser<T>, check: (value: T) => string | undefined): Parser<T> =>
  (raw, example) => {
    const parsed = parser(raw, example);
    if ('error' in parsed) return parsed;
    const problem = check(parsed.value);
    return problem === undefined ? parsed : fail(problem);
  };

/** A parser whose value is turned into another. */
export const mapped =
  <T, U>(parser: Parser<T>, map: (value: T) => U): Parser<U> =>
  (raw, example) => {
    const parsed = parser(raw, example);
    return 'error' in parsed ? parsed : { value: map(parsed.value) };
  };

/** Adapts a parse function that returns its value or `{ error }` (redis-target). */
export const fromResult =
  <T extends object>(parse: (raw: string) => T | { error: string }): Parser<T> =>
  (raw) => {
    const result = parse(raw);
    return 'error' in result ? fail(result.error) : { value: result };
  };
