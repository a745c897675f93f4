import { generateKeyPairSync, KeyObject, sign as cryptoSign } from 'node:crypto';
import { createLocalJWKSet, errors, JWK, jwtVerify, SignJWT } from 'jose';
import { LocalKeySet, parseJws, unverifiedClaims, verifyJwt, verifyParsedJwt } from './node-jws';

const NOW_S = 1_900_000_000;
const RULES = { issuer: 'https://idp', audience: 'app', clockTolerance: 5, currentDate: NOW_S * 1000 };

type Pair = { publicKey: KeyObject; privateKey: KeyObject };
const pairs: Record<string, () => Pair> = {
  RS256: () => generateKeyPairSync('rsa', { modulusLength: 2048 }),
  PS256: () => generateKeyPairSync('rsa', { modulusLength: 2048 }),
  ES256: () => generateKeyPairSync('ec', { namedCurve: 'P-256' }),
  ES384: () => generateKeyPairSync('ec', { namedCurve: 'P-384' }),
  ES512: () => generateKeyPairSync('ec', { namedCurve: 'P-521' }),
  EdDSA: () => generateKeyPairSync('ed25519'),
};

const claims = (overrides: Record<string, unknown> = {}) => ({
  iss: 'https://idp',
  aud: 'app',
  sub: 'user-1',
  iat: NOW_S - 10,
  exp: NOW_S + 60,
  ...overrides,
});

function sign(alg: string, key: KeyObject | Uint8Array, payload = claims(), header: Record<string, unknown> = {}) {
  return new SignJWT(payload).setProtectedHeader({ alg, kid: 'k1', ...header }).sign(key);
}

const b64url = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** What jose itself answers for the same token and rules: the name of its error, or 'ok'. */
async function jose(token: string, alg: string, key: KeyObject | Uint8Array): Promise<string> {
  return jwtVerify(token, key, { ...RULES, currentDate: new Date(RULES.currentDate), algorithms: [alg] }).then(
    () => 'ok',
    (error: Error) => error.constructor.name,
  );
}

async function ours(token: string, alg: string, key: KeyObject | Uint8Array): Promise<string> {
  return verifyJwt(token, [alg], key, RULES).then(
    () => 'ok',
    (error: Error) => error.constructor.name,
  );
}

describe('verifyJwt (node:crypto)', () => {
  it.each(Object.keys(pairs))(
    'verifies %s with a KeyObject, and refuses another key or a changed payload',
    async (alg) => {
      const { publicKey, privateKey } = pairs[alg]!();
      const token = await sign(alg, privateKey);
      expect((await verifyJwt(token, [alg], publicKey, RULES)).payload.sub).toBe('user-1');
      expect(await ours(token, alg, pairs[alg]!().publicKey)).toBe('JWSSignatureVerificationFailed');
      const [header, , signature] = token.split('.');
      const forged = `${header}.${Buffer.from(JSON.stringify(claims({ sub: 'admin' }))).toString('base64url')}.${signature}`;
      expect(await ours(forged, alg, publicKey)).toBe('JWSSignatureVerificationFailed');
    },
  );

  it('answers every claim rule as jose does', async () => {
    const { publicKey, privateKey } = pairs.RS256!();
    const cases = [
      claims(),
      claims({ iss: 'https://other' }),
      claims({ aud: 'other' }),
      claims({ aud: ['other', 'app'] }),
      claims({ aud: ['other'] }),
      claims({ exp: NOW_S - 5 }),
      claims({ exp: NOW_S - 4 }),
      claims({ exp: 'later' }),
      claims({ nbf: NOW_S + 5 }),
      claims({ nbf: NOW_S + 6 }),
      claims({ nbf: '0' }),
      claims({ iat: 'then' }),
      { aud: 'app', sub: 'user-1', exp: NOW_S + 60 },
      { iss: 'https://idp', sub: 'user-1', exp: NOW_S + 60 },
    ];
    for (const payload of cases) {
      const token = await sign('RS256', privateKey, payload as ReturnType<typeof claims>);
      expect({ payload, answer: await ours(token, 'RS256', publicKey) }).toEqual({
        payload,
        answer: await jose(token, 'RS256', publicKey),
      });
    }
  });

  it('refuses an algorithm not allowed, a critical extension, and a token that is not three base64url parts', async () => {
    const { publicKey, privateKey } = pairs.RS256!();
    const token = await sign('RS256', privateKey);
    expect(await ours(token, 'ES256', publicKey)).toBe('JOSEAlgNotAllowed');
    const input = `${b64url({ alg: 'RS256', crit: ['exp'], exp: 1 })}.${b64url(claims())}`;
    const crit = `${input}.${cryptoSign('sha256', Buffer.from(input), privateKey).toString('base64url')}`;
    expect(await ours(crit, 'RS256', publicKey)).toBe('JOSENotSupported');
    expect(await ours(`${token}.x`, 'RS256', publicKey)).toBe('JWSInvalid');
    expect(await ours(token.replace('.', '.*'), 'RS256', publicKey)).toBe('JWSInvalid');
    expect(await ours(`${token.slice(0, -2)}+/`, 'RS256', publicKey)).toBe('JWSInvalid');
  });

  it('refuses a key of another type, an RSA key under 2048 bits, and a public key where a secret is due', async () => {
    const rsa = pairs.RS256!();
    const ec = pairs.ES256!();
    expect(await ours(await sign('RS256', rsa.privateKey), 'RS256', ec.publicKey)).toBe('TypeError');
    const small = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const weak = `${Buffer.from('{"alg":"RS256"}').toString('base64url')}.${Buffer.from('{}').toString('base64url')}.AA`;
    expect(await ours(weak, 'RS256', small.publicKey)).toBe('TypeError');
    const hmac = await sign('HS256', new TextEncoder().encode('a-secret-of-enough-length-0123456789'));
    expect(await ours(hmac, 'HS256', rsa.publicKey)).toBe('TypeError');
  });

  it('accepts any of several HMAC secrets, and none other', async () => {
    const [one, two, other] = ['secret-one-0123456789abcdef', 'secret-two-0123456789abcdef', 'other'].map((s) =>
      new TextEncoder().encode(s),
    ) as [Uint8Array, Uint8Array, Uint8Array];
    const token = await sign('HS256', two);
    expect((await verifyJwt(token, ['HS256'], [one, two], RULES)).payload.sub).toBe('user-1');
    await expect(verifyJwt(token, ['HS256'], [one, other], RULES)).rejects.toBeInstanceOf(
      errors.JWSSignatureVerificationFailed,
    );
  });
});

describe('parseJws (a token taken apart once)', () => {
  it('reads the unverified claims and then verifies the same parse, with the same refusals as verifyJwt', async () => {
    const { publicKey, privateKey } = pairs.RS256!();
    const token = await sign('RS256', privateKey);
    const parsed = parseJws(token);
    expect(unverifiedClaims(parsed).iss).toBe('https://idp');
    const { payload } = await verifyParsedJwt(parsed, ['RS256'], publicKey, RULES);
    // One decode: the claims read before verification are the object the verification checked.
    expect(payload).toBe(unverifiedClaims(parsed));
    const [header, , signature] = token.split('.');
    const forged = parseJws(`${header}.${b64url(claims({ iss: 'https://idp', sub: 'admin' }))}.${signature}`);
    expect(unverifiedClaims(forged).sub).toBe('admin');
    await expect(verifyParsedJwt(forged, ['RS256'], publicKey, RULES)).rejects.toBeInstanceOf(
      errors.JWSSignatureVerificationFailed,
    );
    await expect(verifyParsedJwt(parsed, ['ES256'], publicKey, RULES)).rejects.toBeInstanceOf(errors.JOSEAlgNotAllowed);
    expect(() => parseJws(`${token}.x`)).toThrow(errors.JWSInvalid);
    expect(() => unverifiedClaims(parseJws(`${header}.${b64url([1])}.${signature}`))).toThrow(errors.JWTInvalid);
  });
});

describe('LocalKeySet', () => {
  const jwk = (pair: Pair, extra: Partial<JWK> = {}): JWK => ({
    ...pair.publicKey.export({ format: 'jwk' }),
    ...extra,
  });

  it('selects keys exactly as jose does, and imports each once', async () => {
    const a = pairs.RS256!();
    const b = pairs.RS256!();
    const ec = pairs.ES256!();
    const document = {
      keys: [
        jwk(a, { kid: 'a', use: 'sig' }),
        jwk(b, { kid: 'b', alg: 'RS512' }),
        jwk(ec, { kid: 'e' }),
        jwk(pairs.RS256!(), { kid: 'enc', use: 'enc' }),
        jwk(pairs.RS256!(), { kid: 'ops', key_ops: ['encrypt'] }),
      ],
    };
    const set = new LocalKeySet(document);
    const reference = createLocalJWKSet(document);
    const headers = [
      { alg: 'RS256', kid: 'a' },
      { alg: 'RS256', kid: 'b' },
      { alg: 'RS512', kid: 'b' },
      { alg: 'ES256', kid: 'e' },
      { alg: 'ES384', kid: 'e' },
      { alg: 'RS256', kid: 'enc' },
      { alg: 'RS256', kid: 'ops' },
      { alg: 'RS256', kid: 'missing' },
      { alg: 'RS256' },
      { alg: 'RS256', kid: 7 },
    ];
    for (const header of headers) {
      const mine = (() => {
        try {
          return set.key(header).export({ format: 'jwk' }).n ?? 'ec';
        } catch (error) {
          return (error as Error).constructor.name;
        }
      })();
      const theirs = await reference(header as never).then(
        async (key) => (await crypto.subtle.exportKey('jwk', key)).n ?? 'ec',
        (error: Error) => error.constructor.name,
      );
      expect({ header, key: mine }).toEqual({ header, key: theirs });
    }
    expect(set.key({ alg: 'RS256', kid: 'a' })).toBe(set.key({ alg: 'RS256', kid: 'a' }));
  });

  it('refuses a private key in the set, and a document that is not a key set', () => {
    const pair = pairs.RS256!();
    const set = new LocalKeySet({ keys: [pair.privateKey.export({ format: 'jwk' })] });
    expect(() => set.key({ alg: 'RS256' })).toThrow(errors.JWKSInvalid);
    expect(() => new LocalKeySet({ keys: 'none' })).toThrow(errors.JWKSInvalid);
  });
});
