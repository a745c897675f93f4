/** An entry as Redis or a mirror holds it: `[key, instant (ms), expires at (ms)]`. */
export type HeldEntry = readonly [string, number, number];

/**
 * Redis's expiry and a mirror's are computed on two clocks a round trip apart: a stored entry that
 * expires less than this before the mirror's copy is the same write, not a lost one.
 */
export const EXPIRY_TOLERANCE_MS = 1000;

/**
 * The mirror's live entries that Redis does not hold as strongly: missing, with an earlier instant,
 * or expiring sooner than the mirror's copy (a flush, a restart without persistence, a replica
 * promoted before it had the write). Writing exactly these back restores every revocation the
 * instance knows; since the store keeps the later instant and the longer lifetime, any number of
 * instances writing back at once end on the same state.
 */
export function entriesToWriteBack(
  mirror: Iterable<HeldEntry>,
  stored: ReadonlyMap<string, { instant: number; expiresAt: number }>,
  now: number,
): HeldEntry[] {
  const lost: HeldEntry[] = [];
  for (const entry of mirror) {
    const [key, instant, expiresAt] = entry;
    if (expiresAt <= now) continue;
    const held = stored.get(key);
    if (!held || held.instant < instant || held.expiresAt < expiresAt - EXPIRY_TOLERANCE_MS) lost.push(entry);
  }
  return lost;
}
