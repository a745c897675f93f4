import { basicMatches, bodyMatches, bodySha256 } from './webhook-signature';

describe('webhook signature helpers', () => {
  it('hashes the raw body as FusionAuth does: standard base64 of SHA-256, padded (known answer)', () => {
    expect(bodySha256(Buffer.from('abc'))).toBe('ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=');
    expect(bodySha256(Buffer.from(''))).toBe('47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=');
  });

  it('matches only the exact bytes that were signed', () => {
    const body = Buffer.from('{"event":{"id":"1"}}');
    expect(bodyMatches(bodySha256(body), body)).toBe(true);
    expect(bodyMatches(bodySha256(body), Buffer.from('{"event":{"id":"2"}}'))).toBe(false);
    expect(bodyMatches(bodySha256(body).replace(/=$/, ''), body)).toBe(false);
    expect(bodyMatches(undefined, body)).toBe(false);
    expect(bodyMatches(42, body)).toBe(false);
  });

  it('matches the claim as a string, never as bytes decoded leniently or cut to 8 bits', () => {
    const body = Buffer.from('abc');
    const claim = bodySha256(body); // ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=
    expect(bodyMatches(claim.replace('+', '-').replace('/', '_'), body)).toBe(false);
    // U+0141 is 0x41 ('A') in its low byte.
    expect(bodyMatches(claim.replace('A', '\u0141'), body)).toBe(false);
    expect(bodyMatches(`${claim} `, body)).toBe(false);
  });

  it('checks HTTP Basic credentials, both halves', () => {
    const header = (s: string) => `Basic ${Buffer.from(s).toString('base64')}`;
    expect(basicMatches(header('fa:secret'), 'fa', 'secret')).toBe(true);
    expect(basicMatches(header('fa:wrong'), 'fa', 'secret')).toBe(false);
    expect(basicMatches(header('other:secret'), 'fa', 'secret')).toBe(false);
    expect(basicMatches(header('fa:secret:more'), 'fa', 'secret')).toBe(false);
    expect(basicMatches(header('fasecret'), 'fa', 'secret')).toBe(false);
    expect(basicMatches('Bearer abc', 'fa', 'secret')).toBe(false);
    expect(basicMatches(undefined, 'fa', 'secret')).toBe(false);
  });
});
