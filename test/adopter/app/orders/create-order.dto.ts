import { IsInt, IsString, Length, Max, Min } from 'class-validator';

/** What `POST /v1/orders` takes; the global ValidationPipe refuses anything else with 400 and field errors. */
export class CreateOrderDto {
  @IsString()
  @Length(1, 80)
  item!: string;

  @IsInt()
  @Min(1)
  @Max(100)
  quantity!: number;
}
