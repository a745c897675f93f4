import { randomUUID } from 'node:crypto';
import type { EmailTemplate } from '@fusionauth/typescript-client';
import type { Router } from 'express';
import { ApiContext, bodyOf, fieldError, handle, notFound, param, pathParam } from './api-support';

/** Email templates (apis/emails): what the forgot password and verification emails say. */
export function templatesApi(router: Router, ctx: ApiContext): void {
  const { state } = ctx;

  router.post(
    '/api/email/template{/:emailTemplateId}',
    handle((req) => {
      const request = bodyOf<EmailTemplate>(req, 'emailTemplate');
      for (const field of ['name', 'defaultFromName', 'defaultSubject', 'defaultTextTemplate'] as const) {
        if (!request[field])
          throw fieldError(
            `emailTemplate.${field}`,
            'blank',
            `You must specify the [emailTemplate.${field}] property.`,
          );
      }
      const emailTemplate: EmailTemplate = {
        ...request,
        id: param(pathParam(req, 'emailTemplateId')) ?? randomUUID(),
        insertInstant: state.now(),
      };
      state.emailTemplates.set(emailTemplate.id!, emailTemplate);
      return { emailTemplate };
    }),
  );

  router.get(
    '/api/email/template/:emailTemplateId',
    handle((req) => {
      const emailTemplate = state.emailTemplates.get(pathParam(req, 'emailTemplateId'));
      if (!emailTemplate) throw notFound();
      return { emailTemplate };
    }),
  );
}
