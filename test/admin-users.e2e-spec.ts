import { randomBytes } from 'node:crypto';
import { csrfFrom } from './support/browser-login';
import { KICKSTART_DEFAULTS as K } from './support/dev-idp';
import { HttpClient } from './support/http-client';
import { Stack, startStack } from './support/stack';

/** The admin page's list of this application's users, through FusionAuth's User Search API. */
describe("the admin list of the application's users", () => {
  let stack: Stack;
  let admin: HttpClient;
  const created: { id: string; email: string }[] = [];

  beforeAll(async () => {
    stack = await startStack();
    const tag = randomBytes(3).toString('hex');
    for (let i = 0; i < 12; i++) {
      const email = `member-${String(i).padStart(2, '0')}-${tag}@example.com`;
      const { response } = await stack.fusionAuth.register('', {
        user: { email, password: 'long-enough-1', firstName: 'Member', lastName: String(i) },
        registration: { applicationId: K.applicationId, roles: ['user'] },
      });
      created.push({ id: response.user!.id!, email });
    }
    admin = await signedIn(K.admin.email);
  });
  afterAll(async () => stack?.close());

  async function signedIn(email: string): Promise<HttpClient> {
    const browser = new HttpClient(stack.app.url);
    const csrf = csrfFrom(await (await browser.get('/auth/password-login')).text());
    expect((await browser.post('/auth/password-login', { _csrf: csrf, email, password: 'password' })).status).toBe(302);
    return browser;
  }
  const rowsOf = (html: string) =>
    [...html.matchAll(/<tr data-user="([^"]+)">([\s\S]*?)<\/tr>/g)].map(([, id, row]) => ({
      id: id!,
      status: /class="status (\w+)"/.exec(row!)?.[1],
    }));
  /** The page's HTML with Handlebars' entity escapes undone, so links read as written. */
  const listPage = async (query: string) => {
    const res = await admin.get(`/admin/users${query}`);
    expect(res.status).toBe(200);
    return (await res.text()).replace(/&#x3D;/g, '=').replace(/&amp;/g, '&');
  };

  it('lists the users page by page, each once, with richard among them', async () => {
    const first = await listPage('');
    expect(first).toContain('Page 1 of 2');
    expect(rowsOf(first)).toHaveLength(10);
    const next = /<a rel="next" href="([^"]+)"/.exec(first)![1]!;
    const second = await listPage(next.replace('/admin/users', ''));
    expect(second).toContain('Page 2 of 2');
    expect(second).toContain('rel="prev"');
    const ids = [...rowsOf(first), ...rowsOf(second)].map((row) => row.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(expect.arrayContaining([K.richard.id, K.admin.id, ...created.map((u) => u.id)]));
    expect(first + second).toContain(K.richard.email);
  });

  it('narrows the list to the users a search matches, and keeps the search across pages', async () => {
    const found = rowsOf(await listPage('?search=richard'));
    expect(found.map((row) => row.id)).toEqual([K.richard.id]);
    const members = await listPage('?search=member');
    expect(rowsOf(members)).toHaveLength(10);
    expect(members).toContain('href="/admin/users?search=member&page=2"');
    expect(rowsOf(await listPage('?search=member&page=2'))).toHaveLength(2);
    expect(await listPage('?search=nobody-is-called-this')).toContain('No user of this application matches.');
  });

  it('shows a user deactivated here, or at FusionAuth, as deactivated, and the others as active', async () => {
    const [here, atFusionAuth] = created;
    const csrf = csrfFrom(await (await admin.get('/account')).text());
    expect((await admin.post(`/admin/users/${here!.id}/deactivate`, { _csrf: csrf })).status).toBe(303);
    await stack.fusionAuth.deactivateUser(atFusionAuth!.id);
    const rows = [...rowsOf(await listPage('?search=member')), ...rowsOf(await listPage('?search=member&page=2'))];
    const status = Object.fromEntries(rows.map((row) => [row.id, row.status]));
    expect(status[here!.id]).toBe('deactivated');
    expect(status[atFusionAuth!.id]).toBe('deactivated');
    expect(status[created[2]!.id]).toBe('active');
  });

  it('lists only users registered for this application, through the tenant it is configured with', async () => {
    const email = `stranger-${randomBytes(3).toString('hex')}@example.com`;
    const { response } = await stack.fusionAuth.createUser('', { user: { email, password: 'long-enough-1' } });
    stack.idp.state.apiCalls.splice(0);
    const all = await listPage('?search=stranger');
    expect(rowsOf(all)).toEqual([]);
    expect(all).not.toContain(response.user!.id);
    expect(stack.idp.state.apiCalls).toContainEqual(
      expect.objectContaining({ method: 'POST', path: '/api/user/search', tenantId: K.tenantId }),
    );
  });

  it('answers the same list as JSON to an admin bearer token, and a bad query with 400 and its fields', async () => {
    const { response } = await stack.fusionAuth.login({
      loginId: K.admin.email,
      password: 'password',
      applicationId: K.applicationId,
    });
    const api = (query: string) =>
      fetch(`${stack.app.url}/api/admin/users${query}`, { headers: { authorization: `Bearer ${response.token!}` } });
    const res = await api('?search=richard');
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      total: 1,
      page: 1,
      pages: 1,
      users: [{ id: K.richard.id, email: K.richard.email, status: 'active' }],
    });
    const bad = await api('?page=abc');
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: 'invalid_request', fields: { page: expect.any(Array) } });
    const unknown = await api('?role=admin');
    expect([unknown.status, ((await unknown.json()) as { fields: object }).fields]).toEqual([
      400,
      { role: ['property role should not exist'] },
    ]);
  });

  it('shows the page again with the field error for a page number that is none', async () => {
    const res = await admin.get('/admin/users?page=0&search=member');
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain('Pages start at 1.');
    expect(html).toContain('value="member"');
  });
});
