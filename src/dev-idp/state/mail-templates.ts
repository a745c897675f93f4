import { DevIdpState } from './dev-idp-state';

/**
 * The FreeMarker a kickstart's email templates use, reduced to what a development stand-in needs:
 * `${name}` and `${object.field}` (a missing value renders empty). FusionAuth renders the full language.
 */
export function renderTemplate(template: string, values: Record<string, unknown>): string {
  return template.replace(/\$\{([A-Za-z_][\w.]*)(?:!'[^']*')?\}/g, (_, path: string) => {
    let value: unknown = values;
    for (const part of path.split('.')) value = (value as Record<string, unknown> | undefined)?.[part];
    return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : '';
  });
}

/** Sends the template to an address, into the dev IdP's outbox; false when the template does not exist. */
export function sendTemplate(
  state: DevIdpState,
  templateId: string | undefined,
  to: string,
  values: Record<string, unknown>,
): boolean {
  const template = templateId ? state.emailTemplates.get(templateId) : undefined;
  if (!template) return false;
  state.outbox.send({
    to,
    subject: renderTemplate(template.defaultSubject ?? '', values),
    text: renderTemplate(template.defaultTextTemplate ?? template.defaultHtmlTemplate ?? '', values),
    templateId: template.id!,
    sentAt: state.now(),
  });
  return true;
}
