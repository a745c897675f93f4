import type { SearchRequest, SearchResponse, User } from '@fusionauth/typescript-client';
import type { Router } from 'express';
import { ApiContext, fieldError, handle, tenantFor } from './api-support';
import { UnsupportedQueryError, userQuery } from './user-search-query';

const DEFAULT_RESULTS = 25;
/** FusionAuth's sortable user fields (apis/users, sortFields[x].name) that this stand-in sorts by. */
const SORTABLE = new Set(['email', 'fullName', 'id', 'insertInstant', 'username', 'tenantId']);

/**
 * `POST /api/user/search` (apis/users, "Search for Users", Elasticsearch engine): `ids`, or a raw
 * JSON `query`, or a `queryString` (`*`, or one term), in that order of precedence; paged with
 * `startRow`/`numberOfResults` (default 25), sorted by `sortFields`. Scoped to the
 * `X-FusionAuth-TenantId` header's tenant when it names one. Answers `{ total, users }`.
 */
export function userSearchApi(router: Router, ctx: ApiContext): void {
  router.post(
    '/api/user/search',
    handle((req): SearchResponse => {
      const search = (req.body as SearchRequest | undefined)?.search ?? {};
      const tenantId = req.get('x-fusionauth-tenantid') ? tenantFor(ctx, req, false) : undefined;
      const inTenant = [...ctx.state.users.values()]
        .map((stored) => stored.user)
        .filter((user) => tenantId === undefined || user.tenantId === tenantId);
      if (search.ids) {
        const users = inTenant.filter((user) => search.ids!.includes(user.id!));
        return { total: users.length, users };
      }
      const found = sorted(inTenant.filter(matcherOf(search)), search.sortFields ?? []);
      const start = search.startRow ?? 0;
      const count = search.numberOfResults ?? DEFAULT_RESULTS;
      if (!Number.isInteger(start) || start < 0) throw fieldError('search.startRow', 'invalid', 'Must be 0 or more.');
      if (!Number.isInteger(count) || count < 0)
        throw fieldError('search.numberOfResults', 'invalid', 'Must be 0 or more.');
      return { total: found.length, users: found.slice(start, start + count) };
    }),
  );
}

function matcherOf(search: NonNullable<SearchRequest['search']>): (user: User) => boolean {
  if (search.query !== undefined) {
    try {
      return userQuery(JSON.parse(search.query));
    } catch (error) {
      const reason = error instanceof UnsupportedQueryError ? error.message : 'not JSON';
      throw fieldError('search.query', 'invalid', `The query is not one this server runs: ${reason}.`);
    }
  }
  const term = search.queryString?.trim().toLowerCase();
  if (term === undefined) throw fieldError('search', 'blank', 'Give [ids], [query] or [queryString].');
  if (term === '*') return () => true;
  return (user) =>
    [user.email, user.username, user.firstName, user.lastName, user.fullName].some((v) => v?.toLowerCase() === term);
}

function sorted(users: User[], fields: NonNullable<NonNullable<SearchRequest['search']>['sortFields']>): User[] {
  for (const field of fields) {
    if (!field.name || !SORTABLE.has(field.name))
      throw fieldError('search.sortFields', 'invalid', `[${field.name}] is not a sortable field here.`);
  }
  const key = (user: User, name: string): string => {
    const value = (user as Record<string, unknown>)[name];
    return typeof value === 'string' || typeof value === 'number' ? String(value) : '';
  };
  return [...users].sort((a, b) => {
    for (const field of fields) {
      const order = key(a, field.name!).localeCompare(key(b, field.name!));
      if (order !== 0) return String(field.order).toLowerCase() === 'desc' ? -order : order;
    }
    return 0;
  });
}
