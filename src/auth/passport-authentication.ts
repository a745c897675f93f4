import { ExecutionContext } from '@nestjs/common';
import { AuthGuard, IAuthGuard } from '@nestjs/passport';
import type { Response } from 'express';

/**
 * What passport's answer (error, user, info) means: the value the request goes on with, or a
 * thrown AppError, which reaches the one exception filter like any other.
 */
export type PassportJudge<T> = (error: unknown, user: unknown, info: unknown) => T | Promise<T>;

/** Where AuthGuard puts the judged value on the request: not `req.user`, the global guard's signed-in user. */
const PASSPORT_RESULT: keyof Express.Request = 'oidcLogin';

interface Step {
  readonly options: Record<string, unknown>;
  readonly judge: PassportJudge<unknown>;
}

type GuardClass = new (step: Step) => IAuthGuard;

/** One class per strategy name, like AuthGuard's own (memoized): it holds nothing, each request gets an instance. */
const guardClasses = new Map<string, GuardClass>();

function guardClass(strategy: string): GuardClass {
  let Guard = guardClasses.get(strategy);
  if (!Guard) {
    Guard = class extends AuthGuard(strategy) {
      constructor(private readonly step: Step) {
        super();
      }

      override getAuthenticateOptions(): Record<string, unknown> {
        return { ...this.step.options, property: PASSPORT_RESULT };
      }

      override handleRequest<T>(error: unknown, user: unknown, info: unknown): T {
        return this.step.judge(error, user, info) as T;
      }
    };
    guardClasses.set(strategy, Guard);
  }
  return Guard;
}

/**
 * Runs the request through passport's `strategy` with @nestjs/passport's AuthGuard (which calls
 * passport's singleton). Resolves with what `judge` made of passport's answer, or with undefined
 * when passport answered the browser itself.
 *
 * A strategy that redirects (an authorization request) ends the response and never calls back, so
 * AuthGuard's promise never settles. The response's end settles ours instead: the route's guard
 * resolves and Nest's pipeline for the request finishes, holding nothing; the abandoned promise is
 * referenced only by passport's per-request objects, which go with the request. A browser that goes
 * away mid-login settles it the same way, and whatever passport still completes is dropped.
 */
export async function authenticate<T>(
  context: ExecutionContext,
  strategy: string,
  options: Record<string, unknown>,
  judge: PassportJudge<T>,
): Promise<T | undefined> {
  let judged: { value: T } | undefined;
  const guard = new (guardClass(strategy))({
    options,
    judge: async (error, user, info) => {
      const value = await judge(error, user, info);
      judged = { value };
      return value;
    },
  });
  const ended = responseEnd(context.switchToHttp().getResponse<Response>());
  try {
    await Promise.race([guard.canActivate(context), ended.promise]);
  } finally {
    ended.cancel();
  }
  return judged?.value;
}

function responseEnd(res: Response): { promise: Promise<void>; cancel(): void } {
  let cancel = (): void => undefined;
  const promise = new Promise<void>((resolve) => {
    if (res.writableEnded || res.destroyed) return resolve();
    const done = (): void => resolve();
    res.once('finish', done).once('close', done);
    cancel = () => void res.off('finish', done).off('close', done);
  });
  return { promise, cancel };
}
