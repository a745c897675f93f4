import { loginLocation } from './app-exception.filter';
import { safeReturnTo } from './safe-return-to';

describe('safeReturnTo', () => {
  it.each(['/account', '/account/password?tab=1', '/a/b#frag'])('keeps the same-origin path %s', (path) => {
    expect(safeReturnTo(path)).toBe(path);
  });

  it.each([
    ['an absolute URL', 'https://evil.example/'],
    ['a protocol-relative URL', '//evil.example/'],
    ['a backslash trick', '/\\evil.example/'],
    ['a scheme without slashes', 'https:evil.example'],
    ['a javascript: URL', 'javascript:alert(1)'],
    ['a relative path', 'account'],
    ['a tab inside', '/\t/evil.example'],
    ['a newline inside', '/x\nLocation: https://evil.example'],
    ['not a string', ['/account']],
    ['an overlong path', `/${'a'.repeat(2048)}`],
  ])('drops %s', (_name, value) => {
    expect(safeReturnTo(value)).toBeUndefined();
  });
});

describe('loginLocation', () => {
  it('sends the browser to login with the page it asked for', () => {
    expect(loginLocation('/account')).toBe('/auth/login?returnTo=/account');
    expect(loginLocation('/account?x=1&y=2')).toBe('/auth/login?returnTo=/account%3Fx%3D1%26y%3D2');
  });

  it('drops a return path that is not same-origin', () => {
    expect(loginLocation('//evil.example/')).toBe('/auth/login');
  });
});
