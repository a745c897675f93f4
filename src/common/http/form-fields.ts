import { Transform } from 'class-transformer';
import { IsOptional, IsString, registerDecorator, ValidationArguments, ValidationOptions } from 'class-validator';

/** A text field as typed, less the spaces around it (anything not a string is left to fail `@IsString`). */
export const Trimmed = (): PropertyDecorator =>
  Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value));

/** An email address: trimmed and in lower case, as FusionAuth compares them. */
export const EmailAddress = (): PropertyDecorator =>
  Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim().toLowerCase() : value));

/** The same value as another field of the form (a password typed twice). */
export function SameAs(other: string, options: ValidationOptions): PropertyDecorator {
  return (target, property) =>
    registerDecorator({
      name: 'sameAs',
      target: target.constructor,
      propertyName: String(property),
      constraints: [other],
      options,
      validator: {
        validate: (value: unknown, args: ValidationArguments) =>
          value === (args.object as Record<string, unknown>)[other],
      },
    });
}

/** Not the same value as another field of the form (a new password that is the old one). */
export function NotSameAs(other: string, options: ValidationOptions): PropertyDecorator {
  return (target, property) =>
    registerDecorator({
      name: 'notSameAs',
      target: target.constructor,
      propertyName: String(property),
      constraints: [other],
      options,
      validator: {
        validate: (value: unknown, args: ValidationArguments) =>
          value !== (args.object as Record<string, unknown>)[other],
      },
    });
}

/**
 * The base of every page's form: the CSRF token it carries (checked by the CSRF middleware before
 * any validation) is a field it declares, so forbidding unknown fields does not refuse it.
 */
export abstract class PageForm {
  @IsOptional()
  @IsString()
  _csrf?: string;
}
