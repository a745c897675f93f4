import { Injectable } from '@nestjs/common';
import { Sort, type User } from '@fusionauth/typescript-client';
import { ProviderConfig } from '../config/app-config';
import { FusionAuthClients } from './fusionauth-clients';
import type { ManagedUser } from './fusionauth.service';

/** One page of the application's users, and how many there are in all. */
export interface UserPage {
  readonly total: number;
  readonly users: ManagedUser[];
}

export interface UserSearch {
  /** Matches the start of an email address, a first, last or full name; none: every user. */
  readonly term?: string;
  readonly startRow: number;
  readonly numberOfResults: number;
}

/** The fields a search term is matched against (FusionAuth's Elasticsearch user index). */
const SEARCHED_FIELDS = ['email', 'firstName', 'lastName', 'fullName', 'username'];

/**
 * FusionAuth's User Search API (`POST /api/user/search`, `searchUsersByQuery`), restricted to the
 * users registered for this application: a raw Elasticsearch `query`, since `registrations` is a
 * nested field that a `queryString` cannot match reliably (apis/users). The term goes into the
 * query as a JSON string value, never into query-string syntax, so it cannot change the query.
 */
@Injectable()
export class FusionAuthUserSearch {
  constructor(private readonly clients: FusionAuthClients) {}

  async search(provider: ProviderConfig, search: UserSearch): Promise<UserPage> {
    const registered = {
      nested: {
        path: 'registrations',
        query: { bool: { must: [{ match: { 'registrations.applicationId': provider.clientId } }] } },
      },
    };
    const term = search.term?.trim();
    const matching = term ? [{ multi_match: { query: term, type: 'phrase_prefix', fields: SEARCHED_FIELDS } }] : [];
    try {
      const { response } = await this.clients.call(provider, (c) =>
        c.searchUsersByQuery({
          search: {
            query: JSON.stringify({ bool: { must: [registered, ...matching] } }),
            startRow: search.startRow,
            numberOfResults: search.numberOfResults,
            sortFields: [{ name: 'email', order: Sort.asc }],
          },
        }),
      );
      return { total: response.total ?? 0, users: (response.users ?? []).map((u) => managedUserOf(u, provider)) };
    } catch (error) {
      throw this.clients.outage(error, 'user search');
    }
  }
}

/** A FusionAuth user as the admin pages show it, with this application's registration. */
export function managedUserOf(user: User, provider: ProviderConfig): ManagedUser {
  const registration = user.registrations?.find((r) => r.applicationId === provider.clientId);
  return {
    id: user.id ?? '',
    email: user.email,
    firstName: user.firstName,
    lastName: user.lastName,
    active: user.active !== false,
    registration: registration
      ? { applicationId: provider.clientId, roles: [...(registration.roles ?? [])] }
      : undefined,
  };
}
