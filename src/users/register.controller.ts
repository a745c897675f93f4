import { Body, Controller, Get, Post, Redirect, Render, Req } from '@nestjs/common';
import type { Request } from 'express';
import { AppError } from '../common/app.errors';
import { PasswordSignIn } from '../common/password-sign-in';
import { Public } from '../common/public.decorator';
import { RateLimit } from '../common/http/rate-limit.guard';
import { BrowserRoute } from '../common/http/route-kind.decorator';
import { formRefused } from '../common/http/validation.pipe';
import { RegisterForm } from './account-forms.dto';
import { RegistrationService } from './registration.service';

@BrowserRoute()
@Controller('auth/register')
export class RegisterController {
  constructor(
    private readonly registration: RegistrationService,
    private readonly signIn: PasswordSignIn,
  ) {}

  @Public()
  @Get()
  @Render('register')
  form(): { title: string } {
    this.available();
    return { title: 'Create an account' };
  }

  @Public()
  @RateLimit('login')
  @Post()
  @Redirect()
  async submit(@Req() req: Request, @Body() form: RegisterForm): Promise<{ url: string; statusCode: number }> {
    this.available();
    const result = await this.registration.register(form);
    if (result.kind === 'refused') throw formRefused(RegisterForm, form, result.errors);
    // Signed in at once, unless FusionAuth wants a step first (an email to verify): then the login form.
    const signedIn = (await this.signIn.signIn(req, form.email, form.password)) === 'ok';
    return { url: signedIn ? '/account' : '/auth/password-login?registered=1', statusCode: 303 };
  }

  private available(): void {
    if (!this.registration.available) throw new AppError('NOT_FOUND', 'registration is not available');
  }
}
