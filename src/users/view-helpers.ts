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

/** "5 minutes ago", "in 7 hours", "yesterday"; under a minute: "just now" (or "in a moment"). */
export function relativeTime(at: number, now: number): string {
  const delta = at - now;
  for (const [unit, ms] of UNITS) {
    if (Math.abs(delta) >= ms) return RELATIVE.format(Math.round(delta / ms), unit);
  }
  return delta < 0 ? 'just now' : 'in a moment';
}

/**
 * `{{time iso}}`: a `<time>` element whose `datetime` keeps the exact instant for machines, showing
 * people the date and time (UTC, said so) and how long ago or ahead it is.
 */
export function timeElement(value: unknown, now: number): hbs.SafeString | string {
  const at = typeof value === 'string' || typeof value === 'number' ? new Date(value) : undefined;
  if (!at || Number.isNaN(at.getTime())) return '';
  const escape = hbs.handlebars.escapeExpression;
  const iso = at.toISOString();
  const shown = `${ABSOLUTE.format(at)} UTC (${relativeTime(at.getTime(), now)})`;
  return new hbs.handlebars.SafeString(
    `<time datetime="${escape(iso)}" title="${escape(PRECISE.format(at))}">${escape(shown)}</time>`,
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
