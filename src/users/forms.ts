import { FusionAuthFieldError } from '../fusionauth/fusionauth-clients';

/** Field name → the message shown under that field; `_form` for the form as a whole. */
export type FieldErrors = Record<string, string>;

const MESSAGES: [RegExp, string][] = [
  [/^\[duplicate\]user\.email$/, 'An account with this email address already exists.'],
  [/^\[notEmail\]/, 'Enter a valid email address.'],
  [/^\[blank\]/, 'This field is required.'],
  [/^\[tooShort\]/, 'This password is too short for the rules of your identity provider.'],
  [/^\[tooLong\]/, 'This password is too long.'],
  [/^\[singleCase\]/, 'Use both upper and lower case letters.'],
  [/^\[onlyAlpha\]/, 'Include at least one number or symbol.'],
  [/^\[requireNumber\]/, 'Include at least one number.'],
  [/^\[previouslyUsed\]/, 'Choose a password you have not used recently.'],
  // [breachedCommonPassword], [breachedExactMatch], [breachedSubAddressMatch], [breachedPasswordOnly]
  [/^\[breached/, 'This password has appeared in a data breach. Choose another one.'],
  [/^\[invalid\]currentPassword$/, 'Your current password is not correct.'],
];

/** FusionAuth's refusals, in the words of this service's forms and under their fields. */
export function fusionAuthErrors(errors: readonly FusionAuthFieldError[], fields: Record<string, string>): FieldErrors {
  const out: FieldErrors = {};
  for (const error of errors) {
    const field = fields[error.field] ?? '_form';
    const message =
      MESSAGES.find(([pattern]) => pattern.test(error.code))?.[1] ?? 'Your identity provider refused this value.';
    out[field] ??= message;
  }
  return out;
}
