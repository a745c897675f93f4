import { relativeTime, timeElement } from './view-helpers';

const NOW = Date.parse('2026-12-01T12:00:00.000Z');

describe('times as people read them', () => {
  it.each([
    ['20 s before', -20_000, 'just now'],
    ['5 min before', -5 * 60_000, '5 minutes ago'],
    ['7 h after', 7 * 3_600_000, 'in 7 hours'],
    ['a day before', -86_400_000, 'yesterday'],
    ['3 days before', -3 * 86_400_000, '3 days ago'],
  ])('says %s as "%s"', (_label, offset, words) => {
    expect(relativeTime(NOW + offset, NOW)).toBe(words);
  });

  it('keeps the exact instant in datetime and shows the date, the time in UTC and how long ago', () => {
    const html = String(timeElement('2026-12-01T06:54:39.000Z', NOW));
    expect(html).toMatch(
      /^<time datetime="2026-12-01T06:54:39.000Z" title="[^"]+">1 Dec 2026, 06:54 UTC \(5 hours ago\)<\/time>$/,
    );
  });

  it('shows an instant rendered again the same way, its distance from the new now', () => {
    const at = '2026-12-01T06:54:39.000Z';
    const first = String(timeElement(at, NOW));
    expect(String(timeElement(at, NOW))).toBe(first);
    expect(String(timeElement(at, NOW + 2 * 3_600_000))).toBe(first.replace('5 hours ago', '7 hours ago'));
  });

  it('shows an instant given in ms since the epoch as it shows its ISO text (the pages pass ms)', () => {
    const at = '2026-12-01T06:54:39.000Z';
    expect(String(timeElement(Date.parse(at), NOW))).toBe(String(timeElement(at, NOW)));
  });

  it('renders nothing for a value that is no time', () => {
    expect(timeElement(undefined, NOW)).toBe('');
    expect(timeElement('not a date', NOW)).toBe('');
    expect(timeElement(Number.NaN, NOW)).toBe('');
  });
});
