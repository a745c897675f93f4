import { csrfFrom } from './support/browser-login';
import { HttpClient } from './support/http-client';
import { startTestApp, TestApp } from './support/test-app';
import { TestOrdersController } from './support/test-orders.controller';

const ORDER = { item: 'keyboard', quantity: 2, shipTo: { city: 'Palo Alto' } };

describe('validation: the global ValidationPipe and the one exception filter', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ controllers: [TestOrdersController] });
  });
  afterAll(async () => app.close());

  const postJson = (path: string, body: unknown) =>
    fetch(`${app.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  describe('on a machine route', () => {
    it('hands the handler a DTO instance, nested objects included', async () => {
      const res = await postJson('/v1/orders', ORDER);
      expect(res.status).toBe(201);
      expect(await res.json()).toEqual({ dto: true, shipTo: true, order: ORDER });
    });

    it('answers a bad DTO with 400 and the messages of every bad field, nested ones by their path', async () => {
      const res = await postJson('/v1/orders', { item: '', quantity: 1.5, shipTo: { city: '' } });
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      const body = (await res.json()) as { error: string; fields: Record<string, string[]> };
      expect(body.error).toBe('invalid_request');
      expect(body.fields.item).toEqual(['Name the item.']);
      expect(body.fields.quantity).toContain('A whole number of items.');
      expect(Object.keys(body.fields).sort()).toEqual(['item', 'quantity', 'shipTo.city']);
    });

    it('refuses unknown fields instead of dropping them silently', async () => {
      const res = await postJson('/v1/orders', { ...ORDER, price: 0 });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({
        error: 'invalid_request',
        fields: { price: ['property price should not exist'] },
      });
    });

    it('answers a body that is no object at all with 400 JSON, never 500', async () => {
      const res = await postJson('/v1/orders', ['not', 'an', 'order']);
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ error: 'invalid_request' });
    });
  });

  describe('on a page', () => {
    async function formOf(client: HttpClient, path: string): Promise<string> {
      return csrfFrom(await (await client.get(path)).text());
    }

    it('shows the form again with each field error and 400, and a token to send it again', async () => {
      const client = new HttpClient(app.url);
      const res = await client.post('/auth/password-login', {
        _csrf: await formOf(client, '/auth/password-login'),
        email: ' richard@example.com ',
        password: '',
        returnTo: '/account',
      });
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      const html = await res.text();
      expect(html).toContain('Enter your password.');
      // As the DTO shaped it: trimmed, and a safe returnTo kept.
      expect(html).toContain('value="richard@example.com"');
      expect(html).toContain('name="returnTo" value="/account"');
      expect(csrfFrom(html)).toMatch(/\S/);
    });

    it('drops an unsafe returnTo instead of showing it back', async () => {
      const client = new HttpClient(app.url);
      const res = await client.post('/auth/password-login', {
        _csrf: await formOf(client, '/auth/password-login'),
        email: '',
        password: 'x',
        returnTo: '//evil.example/',
      });
      expect(res.status).toBe(400);
      expect(await res.text()).not.toContain('evil.example');
    });

    it('refuses a form with a field it does not have, and shows the form again', async () => {
      const client = new HttpClient(app.url);
      const res = await client.post('/auth/register', {
        _csrf: await formOf(client, '/auth/register'),
        email: 'new-user@example.com',
        password: 'long-enough-1',
        confirmPassword: 'long-enough-1',
        roles: 'admin',
      });
      expect(res.status).toBe(400);
      const html = await res.text();
      expect(html).toContain('This form had fields it does not know.');
      expect(html).toContain('<h1>Create an account</h1>');
      expect(html).toContain('value="new-user@example.com"');
    });

    it('never shows a password back in the form, nor writes it to a log line', async () => {
      const client = new HttpClient(app.url);
      const secret = 'hunter2-never-shown-4711';
      const res = await client.post('/auth/register', {
        _csrf: await formOf(client, '/auth/register'),
        firstName: 'Gavin',
        email: 'not-an-email',
        password: secret,
        confirmPassword: `${secret}-typo`,
      });
      expect(res.status).toBe(400);
      const html = await res.text();
      expect(html).toContain('Enter a valid email address.');
      expect(html).toContain('The two passwords do not match.');
      expect(html).toContain('value="Gavin"');
      expect(html).not.toContain(secret);
      expect(app.logger.lines.some((line) => line.message.includes(secret))).toBe(false);
      expect(app.logger.of('warn').some((line) => line.includes('invalid fields: email, confirmPassword'))).toBe(true);
    });
  });
});
