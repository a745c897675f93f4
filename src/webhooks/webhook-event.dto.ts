import 'reflect-metadata';
import { Expose, Type } from 'class-transformer';
import { IsArray, IsInt, IsObject, IsOptional, IsString, Length, Min, ValidateNested } from 'class-validator';

class EventUserDto {
  @Expose() @IsOptional() @IsString() @Length(1, 128) id?: string;
}

class EventRegistrationDto {
  @Expose() @IsOptional() @IsString() @Length(1, 128) applicationId?: string;
  @Expose() @IsOptional() @IsArray() @IsString({ each: true }) roles?: string[];
}

class EventRefreshTokenDto {
  @Expose() @IsString() @Length(1, 128) id!: string;
  @Expose() @IsOptional() @IsString() @Length(1, 128) applicationId?: string;
  @Expose() @IsOptional() @IsString() @Length(1, 128) userId?: string;
}

/**
 * The fields of a FusionAuth event the service reads (@Expose): the rest of a payload, often a whole
 * user object, is neither copied nor validated.
 */
export class WebhookEventDto {
  @Expose() @IsString() @Length(1, 128) id!: string;
  @Expose() @IsString() @Length(1, 128) type!: string;
  @Expose() @IsInt() @Min(0) createInstant!: number;
  @Expose() @IsOptional() @IsString() @Length(1, 128) tenantId?: string;
  @Expose() @IsOptional() @IsString() @Length(1, 128) applicationId?: string;
  @Expose() @IsOptional() @IsString() @Length(1, 128) userId?: string;
  @Expose() @IsOptional() @IsArray() @IsString({ each: true }) applicationIds?: string[];
  @Expose() @IsOptional() @IsObject() applicationTimeToLiveInSeconds?: Record<string, unknown>;
  @Expose() @IsOptional() @ValidateNested() @Type(() => EventUserDto) user?: EventUserDto;
  @Expose() @IsOptional() @ValidateNested() @Type(() => EventRegistrationDto) registration?: EventRegistrationDto;
  @Expose() @IsOptional() @ValidateNested() @Type(() => EventRegistrationDto) original?: EventRegistrationDto;
  @Expose() @IsOptional() @ValidateNested() @Type(() => EventRefreshTokenDto) refreshToken?: EventRefreshTokenDto;
}

/** FusionAuth wraps every event: `{"event": {...}}`. */
export class WebhookEnvelopeDto {
  @Expose() @IsObject() @ValidateNested() @Type(() => WebhookEventDto) event!: WebhookEventDto;
}
