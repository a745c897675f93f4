import { Framing, framedByProvider } from './frontchannel-framing';

const PROVIDER = 'https://auth.example.com';
const origins = [PROVIDER];
const framed = (framing: Framing) => framedByProvider(framing, origins);

describe('framedByProvider', () => {
  describe('counts', () => {
    it("a same-site iframe with the provider's origin as referrer (FusionAuth's logout page)", () => {
      expect(framed({ fetchDest: 'iframe', fetchSite: 'same-site', referer: `${PROVIDER}/` })).toBe(true);
    });

    it('a same-site iframe without a referrer (the page sent none)', () => {
      expect(framed({ fetchDest: 'iframe', fetchSite: 'same-site' })).toBe(true);
    });

    it('a same-origin frame (the provider behind the same host)', () => {
      expect(framed({ fetchDest: 'frame', fetchSite: 'same-origin', referer: `${PROVIDER}/oauth2/logout` })).toBe(true);
    });

    it("a browser without Fetch Metadata, with the provider's origin as referrer", () => {
      expect(framed({ referer: `${PROVIDER}/oauth2/logout?client_id=x` })).toBe(true);
    });
  });

  describe('refuses', () => {
    it('a top-level link from another site, which carries the Lax cookie', () => {
      expect(framed({ fetchDest: 'document', fetchSite: 'cross-site', referer: 'https://evil.example/' })).toBe(false);
      expect(framed({ fetchDest: 'document', fetchSite: 'none' })).toBe(false);
    });

    it('an image, a script or a fetch, even from this site', () => {
      for (const fetchDest of ['image', 'script', 'empty', 'style'])
        expect(framed({ fetchDest, fetchSite: 'same-site', referer: `${PROVIDER}/` })).toBe(false);
    });

    it('an iframe on a page of another site', () => {
      expect(framed({ fetchDest: 'iframe', fetchSite: 'cross-site' })).toBe(false);
      expect(framed({ fetchDest: 'iframe', fetchSite: 'cross-site', referer: `${PROVIDER}/` })).toBe(false);
    });

    it('an iframe on another page of this site that names itself', () => {
      expect(framed({ fetchDest: 'iframe', fetchSite: 'same-site', referer: 'https://blog.example.com/post' })).toBe(
        false,
      );
    });

    it('a referrer that is not a URL, or an opaque one', () => {
      expect(framed({ fetchDest: 'iframe', fetchSite: 'same-site', referer: 'not a url' })).toBe(false);
      expect(framed({ fetchDest: 'iframe', fetchSite: 'same-site', referer: 'data:text/html,x' })).toBe(false);
    });

    it('a browser without Fetch Metadata and without a referrer, or with a foreign one', () => {
      expect(framed({})).toBe(false);
      expect(framed({ referer: 'https://evil.example/' })).toBe(false);
    });

    it('a Fetch Metadata destination without a site', () => {
      expect(framed({ fetchDest: 'iframe' })).toBe(false);
    });
  });
});
