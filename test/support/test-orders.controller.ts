import { Body, Controller, Post } from '@nestjs/common';
import { Type } from 'class-transformer';
import { IsInt, IsString, Min, MinLength, ValidateNested } from 'class-validator';
import { Public } from '../../src/common/public.decorator';
import { MachineRoute } from '../../src/common/http/route-kind.decorator';

class ShippingAddress {
  @IsString() @MinLength(1) city!: string;
}

/** What an adopter's API would take: a DTO with a number and a nested object. */
export class CreateOrderDto {
  @IsString() @MinLength(1, { message: 'Name the item.' }) item!: string;
  @IsInt({ message: 'A whole number of items.' }) @Min(1) quantity!: number;
  @ValidateNested() @Type(() => ShippingAddress) shipTo!: ShippingAddress;
}

/** A machine route under a prefix of its own (not /api), as an adopter's app declares one. */
@MachineRoute()
@Controller('v1/orders')
export class TestOrdersController {
  @Public()
  @Post()
  create(@Body() order: CreateOrderDto): { dto: boolean; shipTo: boolean; order: CreateOrderDto } {
    return { dto: order instanceof CreateOrderDto, shipTo: order.shipTo instanceof ShippingAddress, order };
  }
}
