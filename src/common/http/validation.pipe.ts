import { ArgumentMetadata, Injectable, ValidationError, ValidationPipe } from '@nestjs/common';
import * as classTransformer from 'class-transformer';
import { plainToInstance } from 'class-transformer';
import * as classValidator from 'class-validator';
import { FieldMessages, RefusedForm, ValidationFailedError } from '../app.errors';
import { FormPageSpec, formPageOf } from './form-page.decorator';

/**
 * The global ValidationPipe: every `@Body()`, `@Query()` or `@Param()` typed with a DTO class is
 * validated, unknown fields are refused (not silently dropped), and values arrive as the DTO's
 * types. A failure is a ValidationFailedError for the one exception filter; a DTO with a
 * `@FormPage` brings its page, so a browser gets the form again.
 */
@Injectable()
export class AppValidationPipe extends ValidationPipe {
  constructor() {
    super({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      // Refused values stay out of the error (and so out of any log line).
      validationError: { target: false, value: false },
      exceptionFactory: (errors) => new ValidationFailedError(fieldMessages(errors)),
      // The very packages the DTOs' decorators registered with (not a second copy loaded on demand).
      validatorPackage: classValidator,
      transformerPackage: classTransformer,
    });
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    try {
      return await super.transform(value, metadata);
    } catch (error) {
      const page = formPageOf(metadata.metatype);
      if (!(error instanceof ValidationFailedError) || !page) throw error;
      throw new ValidationFailedError(error.fields, refusedForm(page, metadata.metatype, value));
    }
  }
}

/** `{ email: ['Enter a valid email address.'], 'address.city': [...] }` */
export function fieldMessages(errors: readonly ValidationError[], parent = ''): FieldMessages {
  const out: Record<string, string[]> = {};
  for (const error of errors) {
    const path = parent ? `${parent}.${error.property}` : error.property;
    const messages = Object.values(error.constraints ?? {});
    if (messages.length > 0) out[path] = messages;
    Object.assign(out, fieldMessages(error.children ?? [], path));
  }
  return out;
}

/** The page again, with the declared fields as the DTO's transforms made them (trimmed, made safe). */
export function refusedForm(page: FormPageSpec, dto: unknown, body: unknown): RefusedForm {
  const raw =
    body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
  const shaped =
    typeof dto === 'function' ? (plainToInstance(dto as new () => object, raw) as Record<string, unknown>) : raw;
  const echo: Record<string, string> = {};
  for (const field of page.echo ?? []) {
    const value = shaped[field];
    if (typeof value === 'string') echo[field] = value;
  }
  return { view: page.view, model: { title: page.title, ...page.model?.(raw) }, echo };
}

/**
 * A form the DTO accepted but a later rule refused (two passwords that differ, FusionAuth's own
 * rules): the same answer as the pipe's, on the DTO's page. `errors` has one message per field.
 */
export function formRefused(
  dto: unknown,
  form: object,
  errors: Readonly<Record<string, string>>,
  model: Record<string, unknown> = {},
): ValidationFailedError {
  const fields = Object.fromEntries(Object.entries(errors).map(([field, message]) => [field, [message]]));
  const page = formPageOf(dto);
  if (!page) return new ValidationFailedError(fields);
  const refused = refusedForm(page, dto, form);
  return new ValidationFailedError(fields, { ...refused, model: { ...refused.model, ...model } });
}
