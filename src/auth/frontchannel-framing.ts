/** What the browser says about how it loaded the logout URL (Fetch Metadata and Referer headers). */
export interface Framing {
  readonly fetchDest?: string;
  readonly fetchSite?: string;
  readonly referer?: string;
}

const FRAMES = new Set(['iframe', 'frame']);
const SAME_SITE = new Set(['same-origin', 'same-site']);

/**
 * Whether the browser loaded the logout URL in a frame of the provider's own page, the way
 * FusionAuth's logout page loads every application's logout URL (with no `iss` or `sid`).
 *
 * A GET that any page can make the browser send (a link, an image, a form) carries our `Lax`
 * cookie on top-level navigations, so a request only counts when the browser itself says it is a
 * frame loaded from this site (`Sec-Fetch-Dest: iframe`, `Sec-Fetch-Site: same-site`), which no page
 * can forge; a page that names itself in the referrer must be the provider's. A browser without
 * Fetch Metadata counts only with the provider's origin as its referrer.
 */
export function framedByProvider(framing: Framing, providerOrigins: readonly string[]): boolean {
  const referer = framing.referer === undefined ? undefined : originOf(framing.referer);
  if (framing.referer !== undefined && (referer === undefined || !providerOrigins.includes(referer))) return false;
  if (framing.fetchDest !== undefined) {
    return FRAMES.has(framing.fetchDest) && SAME_SITE.has(framing.fetchSite ?? '');
  }
  return referer !== undefined;
}

function originOf(url: string): string | undefined {
  try {
    const { origin } = new URL(url);
    return origin === 'null' ? undefined : origin;
  } catch {
    return undefined;
  }
}
