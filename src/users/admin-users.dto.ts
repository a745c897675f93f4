import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { EmailAddress } from '../common/form-fields';
import { FormPage } from '../common/form-page.decorator';

/** The admin page's query: a user to find by email, and what was just done. */
@FormPage({ view: 'admin-users', title: 'Users', echo: ['email'] })
export class AdminUsersQuery {
  @IsOptional()
  @IsString()
  @MaxLength(320, { message: 'This email address is too long.' })
  @EmailAddress()
  email?: string;

  @IsOptional()
  @IsIn(['deactivated', 'reactivated'])
  done?: 'deactivated' | 'reactivated';
}
