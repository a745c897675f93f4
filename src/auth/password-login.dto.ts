import { Transform } from 'class-transformer';
import { IsNotEmpty, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { PageForm, Trimmed } from '../common/http/form-fields';
import { FormPage } from '../common/http/form-page.decorator';
import { safeReturnTo } from '../common/http/safe-return-to';
import { MESSAGES } from './password-login-outcome';

/** A same-origin path, or nothing: an unsafe one is dropped, never refused (nor shown back). */
const ReturnTo = (): PropertyDecorator => Transform(({ value }: { value: unknown }) => safeReturnTo(value));

@FormPage({ view: 'password-login', title: 'Log in', echo: ['email', 'returnTo'] })
export class PasswordLoginForm extends PageForm {
  @MaxLength(320, { message: 'This email address is too long.' })
  @IsNotEmpty({ message: 'Enter your email.' })
  @IsString({ message: 'Enter your email.' })
  @Trimmed()
  email!: string;

  @MaxLength(1024, { message: 'This password is too long.' })
  @IsNotEmpty({ message: 'Enter your password.' })
  @IsString({ message: 'Enter your password.' })
  password!: string;

  @IsOptional()
  @ReturnTo()
  returnTo?: string;
}

/**
 * A further step's form only names its step and carries its values; what a value must be (a code's
 * shape, a password's length) is checked against the step, where a wrong one costs an attempt. A
 * form that is not even that started from no page of ours: the login starts again.
 */
const STEP_REFUSED = {
  view: 'password-login',
  title: 'Log in',
  model: () => ({ error: MESSAGES.restart }),
} as const;

@FormPage(STEP_REFUSED)
export class TwoFactorStepForm extends PageForm {
  @IsOptional() @IsString() @MaxLength(64) step?: string;
  @IsOptional() @IsString() @MaxLength(1024) code?: string;
}

@FormPage(STEP_REFUSED)
export class NewPasswordStepForm extends PageForm {
  @IsOptional() @IsString() @MaxLength(64) step?: string;
  @IsOptional() @IsString() @MaxLength(1024) password?: string;
  @IsOptional() @IsString() @MaxLength(1024) confirmPassword?: string;
  @IsOptional() @IsString() @MaxLength(1024) code?: string;
  @IsOptional() @IsString() @MaxLength(320) @Trimmed() email?: string;
}

@FormPage(STEP_REFUSED)
export class VerifyStepForm extends PageForm {
  @IsOptional() @IsString() @MaxLength(64) step?: string;
}

@FormPage({ view: 'forgot-password', title: 'Forgot your password?' })
export class ForgotPasswordForm extends PageForm {
  @Matches(/^[^\s@]{1,200}@[^\s@]{1,200}$/, { message: 'Enter the email address of your account.' })
  @IsString({ message: 'Enter the email address of your account.' })
  @Trimmed()
  email!: string;
}
