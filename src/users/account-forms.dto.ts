import { IsEmail, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { FormPage } from '../common/http/form-page.decorator';
import { EmailAddress, NotSameAs, PageForm, SameAs, Trimmed } from '../common/http/form-fields';

export const MIN_PASSWORD = 8;

/** Asked for again when the account uses two-factor authentication (a step-up before the change). */
const asksForCode = (body: Readonly<Record<string, unknown>>) => ({
  managed: true,
  needsCode: body.code !== undefined,
});

@FormPage({ view: 'password', title: 'Change your password', model: asksForCode })
export class ChangePasswordForm extends PageForm {
  @MaxLength(1024)
  @MinLength(1, { message: 'Enter your current password.' })
  @IsString({ message: 'Enter your current password.' })
  currentPassword!: string;

  @NotSameAs('currentPassword', { message: 'Choose a password different from the current one.' })
  @MaxLength(256, { message: 'Use at most 256 characters.' })
  @MinLength(MIN_PASSWORD, { message: `Use at least ${MIN_PASSWORD} characters.` })
  @IsString({ message: `Use at least ${MIN_PASSWORD} characters.` })
  newPassword!: string;

  @SameAs('newPassword', { message: 'The two new passwords do not match.' })
  confirmPassword!: string;

  /** The authenticator code, once the form asks for it. */
  @IsOptional()
  @IsString()
  @MaxLength(1024)
  code?: string;
}

@FormPage({ view: 'register', title: 'Create an account', echo: ['firstName', 'lastName', 'email'] })
export class RegisterForm extends PageForm {
  @IsOptional()
  @IsString()
  @MaxLength(100, { message: 'Use at most 100 characters.' })
  @Trimmed()
  firstName?: string;

  @IsOptional()
  @IsString()
  @MaxLength(100, { message: 'Use at most 100 characters.' })
  @Trimmed()
  lastName?: string;

  @MaxLength(320, { message: 'This email address is too long.' })
  @IsEmail({}, { message: 'Enter a valid email address.' })
  @EmailAddress()
  email!: string;

  @MaxLength(256, { message: 'Use at most 256 characters.' })
  @MinLength(MIN_PASSWORD, { message: `Use at least ${MIN_PASSWORD} characters.` })
  @IsString({ message: `Use at least ${MIN_PASSWORD} characters.` })
  password!: string;

  @SameAs('password', { message: 'The two passwords do not match.' })
  confirmPassword!: string;
}

/** The "End" button beside another of the user's sessions. */
export class EndSessionForm extends PageForm {
  @IsString()
  @MaxLength(128)
  session!: string;
}
