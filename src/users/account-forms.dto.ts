import { IsEmail, IsString, MaxLength, MinLength } from 'class-validator';

export const MIN_PASSWORD = 8;

export class ChangePasswordForm {
  @IsString()
  @MinLength(1, { message: 'Enter your current password.' })
  @MaxLength(1024)
  currentPassword!: string;

  @IsString()
  @MinLength(MIN_PASSWORD, { message: `Use at least ${MIN_PASSWORD} characters.` })
  @MaxLength(256, { message: 'Use at most 256 characters.' })
  newPassword!: string;

  @IsString() confirmPassword!: string;
}

export class RegisterForm {
  @IsString() @MaxLength(100, { message: 'Use at most 100 characters.' }) firstName!: string;
  @IsString() @MaxLength(100, { message: 'Use at most 100 characters.' }) lastName!: string;

  @IsEmail({}, { message: 'Enter a valid email address.' })
  @MaxLength(320, { message: 'This email address is too long.' })
  email!: string;

  @IsString()
  @MinLength(MIN_PASSWORD, { message: `Use at least ${MIN_PASSWORD} characters.` })
  @MaxLength(256, { message: 'Use at most 256 characters.' })
  password!: string;

  @IsString() confirmPassword!: string;
}
