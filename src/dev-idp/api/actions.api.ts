import { randomUUID } from 'node:crypto';
import type { ActionRequest, UserAction, UserActionLog, UserActionReason } from '@fusionauth/typescript-client';
import type { Router } from 'express';
import { ApiContext, bodyOf, fieldError, handle, notFound, param, pathParam } from './api-support';
import { revokeAndAnnounce } from './user-operations';

/** User actions, their reasons, and taking an action on a user (apis/user-actions, apis/actioning-users). */
export function actionsApi(router: Router, ctx: ApiContext): void {
  const { state } = ctx;

  router.post(
    '/api/user-action{/:userActionId}',
    handle((req) => {
      const request = bodyOf<UserAction>(req, 'userAction');
      if (!request.name)
        throw fieldError('userAction.name', 'blank', 'You must specify the [userAction.name] property.');
      const userAction: UserAction = {
        ...request,
        id: param(pathParam(req, 'userActionId')) ?? randomUUID(),
        active: true,
        insertInstant: state.now(),
      };
      state.userActions.set(userAction.id!, userAction);
      return { userAction };
    }),
  );

  router.post(
    '/api/user-action-reason{/:userActionReasonId}',
    handle((req) => {
      const request = bodyOf<UserActionReason>(req, 'userActionReason');
      if (!request.text)
        throw fieldError('userActionReason.text', 'blank', 'You must specify the [userActionReason.text] property.');
      const userActionReason: UserActionReason = {
        ...request,
        id: param(pathParam(req, 'userActionReasonId')) ?? randomUUID(),
        insertInstant: state.now(),
      };
      state.userActionReasons.set(userActionReason.id!, userActionReason);
      return { userActionReason };
    }),
  );

  router.post(
    '/api/user/action',
    handle((req) => {
      const action = (req.body as ActionRequest | undefined)?.action;
      if (!action) throw fieldError('action', 'blank', 'You must specify the [action] object.');
      const actionee = state.users.get(action.actioneeUserId ?? '');
      if (!actionee) throw notFound();
      const userAction = state.userActions.get(action.userActionId ?? '');
      if (!userAction) throw fieldError('action.userActionId', 'invalid', 'The [action.userActionId] does not exist.');
      const reason = action.reasonId ? state.userActionReasons.get(action.reasonId) : undefined;
      if (action.reasonId && !reason)
        throw fieldError('action.reasonId', 'invalid', 'The [action.reasonId] does not exist.');
      const language = actionee.user.preferredLanguages?.[0] ?? 'en';
      const log: UserActionLog = {
        id: randomUUID(),
        actioneeUserId: actionee.user.id,
        actionerUserId: action.actionerUserId,
        applicationIds: action.applicationIds,
        comment: action.comment,
        expiry: action.expiry,
        insertInstant: state.now(),
        userActionId: userAction.id,
        name: userAction.name,
        localizedName: userAction.localizedNames?.[language] ?? userAction.name,
        reason: reason?.text,
        reasonCode: reason?.code,
        localizedReason: reason?.localizedTexts?.[language] ?? reason?.text,
        option: action.option,
      };
      state.actionLogs.push(log);
      // The tenant's refreshTokenRevocationPolicy.onLoginPrevented (FusionAuth's default: true).
      const policy = state.tenants.get(actionee.user.tenantId!)?.jwtConfiguration?.refreshTokenRevocationPolicy;
      if (userAction.preventLogin && policy?.onLoginPrevented !== false)
        revokeAndAnnounce(ctx, { userId: actionee.user.id });
      return { action: log };
    }),
  );
}
