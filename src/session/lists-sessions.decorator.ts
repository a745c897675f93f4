import { SetMetadata } from '@nestjs/common';

const LISTS_SESSIONS = 'lists-sessions';

/**
 * A page that shows the user's sessions (the account page): its session is read together with the
 * user's session index, in one Redis round trip (`IndexReadAheadStore`). Other pages read no index.
 */
export const ListsSessions = (): MethodDecorator => SetMetadata(LISTS_SESSIONS, true);

/** Decorators are fixed once the app is built: each handler's is read once. */
const declared = new WeakMap<object, boolean>();

/** Whether this handler declared `@ListsSessions()`. */
export function listsSessions(handler: object): boolean {
  let lists = declared.get(handler);
  if (lists === undefined) {
    lists = Reflect.getMetadata(LISTS_SESSIONS, handler) === true;
    declared.set(handler, lists);
  }
  return lists;
}
