import type { User } from '@fusionauth/typescript-client';
import { UnsupportedQueryError, userQuery } from './user-search-query';

const APP = 'c50329fa-93e5-4618-8d9f-73d0ab069a54';

function user(overrides: Partial<User> = {}): User {
  return {
    id: 'u1',
    email: 'richard@example.com',
    firstName: 'Richard',
    lastName: 'Hendricks',
    registrations: [{ applicationId: APP, roles: ['admin'] }],
    ...overrides,
  };
}

/** The docs' own example (apis/users, "Specific Role"), must arrays nested one level as written there. */
const ROLE_QUERY = {
  bool: {
    must: [
      [
        {
          nested: {
            path: 'registrations',
            query: {
              bool: {
                must: [
                  { match: { 'registrations.applicationId': APP } },
                  { match: { 'registrations.roles': 'admin' } },
                ],
              },
            },
          },
        },
      ],
    ],
  },
};

describe("the dev IdP's user search query (a subset of Elasticsearch's DSL)", () => {
  it("runs FusionAuth's documented role query on registrations", () => {
    expect(userQuery(ROLE_QUERY)(user())).toBe(true);
    expect(userQuery(ROLE_QUERY)(user({ registrations: [{ applicationId: APP, roles: ['user'] }] }))).toBe(false);
    expect(userQuery(ROLE_QUERY)(user({ registrations: [{ applicationId: 'other', roles: ['admin'] }] }))).toBe(false);
  });

  it('matches the start of a name or an email with multi_match phrase_prefix, case-insensitively', () => {
    const query = (term: string) =>
      userQuery({ multi_match: { query: term, type: 'phrase_prefix', fields: ['email', 'fullName'] } });
    expect(query('RICH')(user())).toBe(true);
    expect(query('hendr')(user())).toBe(true);
    expect(query('example')(user())).toBe(true);
    expect(query('ichard')(user())).toBe(false);
  });

  it('combines must, should and must_not as bool does', () => {
    const query = userQuery({
      bool: { should: [{ match: { email: 'nobody@example.com' } }], must_not: [{ match: { firstName: 'gavin' } }] },
    });
    expect(query(user())).toBe(false);
    expect(userQuery({ bool: { must_not: [{ match: { firstName: 'gavin' } }] } })(user())).toBe(true);
  });

  it.each([
    ['a query it does not know', { fuzzy: { email: 'rich' } }],
    ['two queries in one clause', { match_all: {}, match: { email: 'x' } }],
    ['a nested path other than registrations', { nested: { path: 'memberships', query: { match_all: {} } } }],
    ['multi_match without phrase_prefix', { multi_match: { query: 'x', fields: ['email'] } }],
    ['no object at all', 'email:richard*'],
  ])('refuses %s loudly rather than guessing', (_why, query) => {
    expect(() => userQuery(query)).toThrow(UnsupportedQueryError);
  });
});
