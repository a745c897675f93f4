import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { EmailAddress, Trimmed } from '../common/http/form-fields';
import { FormPage } from '../common/http/form-page.decorator';

/** One page of the application's users: a search term (the start of a name or email) and a page number. */
export class UserListQuery {
  @IsOptional()
  @IsString()
  @MaxLength(100, { message: 'Search for at most 100 characters.' })
  @Trimmed()
  search?: string;

  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'A page is a whole number.' })
  @Min(1, { message: 'Pages start at 1.' })
  @Max(10_000, { message: 'There are not that many pages.' })
  page?: number;
}

/** The admin page's query: the list's, a user to find by email, and what was just done. */
@FormPage({ view: 'admin-users', title: 'Users', echo: ['email', 'search'] })
export class AdminUsersQuery extends UserListQuery {
  @IsOptional()
  @IsString()
  @MaxLength(320, { message: 'This email address is too long.' })
  @EmailAddress()
  email?: string;

  @IsOptional()
  @IsIn(['deactivated', 'reactivated'])
  done?: 'deactivated' | 'reactivated';
}
