import { Injectable, OnModuleInit } from '@nestjs/common';
import hbs from 'hbs';
import { Clock } from '../common/clock';

const ABSOLUTE = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' });
const PRECISE = new Intl.DateTimeFormat('en-GB', { dateStyle: 'full', timeStyle: 'long', timeZone: 'UTC' });
const RELATIVE = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });

const UNITS: readonly [Intl.RelativeTimeFormatUnit, number][] = [
  ['day', 86_400_000],
  ['hour', 3_600_000],
  ['minute', 60_000],
];

/**
 * ICU formatting costs more than the rest of a page's helpers together, and every page view shows
 * the same few instants again (sign-in, expiry, the other sessions): each text is made once.
 */
const MEMO_LIMIT = 2048;
const absoluteTexts = new Map<number, InstantTexts>();
const relativeTexts = new Map<string, string>();

function memo<K, V>(texts: Map<K, V>, key: K, make: () => V): V {
  let text = texts.get(key);
  if (text === undefined) {
    if (texts.size >= MEMO_LIMIT) texts.clear();
    text = make();
    texts.set(key, text);
  }
  return text;
}

/** "5 minutes ago", "in 7 hours", "yesterday"; under a minute: "just now" (or "in a moment"). */
export function relativeTime(at: number, now: number): string {
  const delta = at - now;
  for (const [unit, ms] of UNITS) {
    if (Math.abs(delta) >= ms) {
      const count = Math.round(delta / ms);
      return memo(relativeTexts, `${count} ${unit}`, () => RELATIVE.format(count, unit));
    }
  }
  return delta < 0 ? 'just now' : 'in a moment';
}

/** The parts of one instant's element that never change: escaped once, with the ICU texts. */
interface InstantTexts {
  readonly iso: string;
  readonly shown: string;
  readonly precise: string;
}

/**
 * `{{time at}}` (ms since the epoch, or an ISO string): a `<time>` element whose `datetime` keeps the
 * exact instant for machines, showing people the date and time (UTC, said so) and how long ago or
 * ahead it is. Only the relative part follows the clock; the rest is made once per instant.
 */
export function timeElement(value: unknown, now: number): hbs.SafeString | string {
  const at = typeof value === 'number' ? value : typeof value === 'string' ? Date.parse(value) : NaN;
  if (!Number.isFinite(at)) return '';
  const escape = hbs.handlebars.escapeExpression;
  const texts = memo(absoluteTexts, at, (): InstantTexts => {
    const date = new Date(at);
    return {
      iso: escape(date.toISOString()),
      shown: escape(ABSOLUTE.format(date)),
      precise: escape(PRECISE.format(date)),
    };
  });
  return new hbs.handlebars.SafeString(
    `<time datetime="${texts.iso}" title="${texts.precise}">${texts.shown} UTC (${escape(relativeTime(at, now))})</time>`,
  );
}

/** The helpers the pages' views use, registered once with the view engine. */
@Injectable()
export class ViewHelpers implements OnModuleInit {
  constructor(private readonly clock: Clock) {}

  onModuleInit(): void {
    hbs.registerHelper('time', (value: unknown) => timeElement(value, this.clock.now()));
  }
}
