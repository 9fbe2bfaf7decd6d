import {
  Body,
  Controller,
  Get,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Patch,
  Post,
  Query,
} from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Roles } from '../common/decorators/access-policy.decorator.js';
import { Actor, type ActorContext } from '../common/request-context.js';
import { ChangeRolesDto, CreateStaffUserDto, ListStaffUsersQuery } from './dto/staff-user.dto.js';
import { StaffUsersService } from './staff-users.service.js';

@ApiTags('users')
@Roles('admin')
@Controller('users')
export class StaffUsersController {
  constructor(private readonly users: StaffUsersService) {}

  @Get()
  list(@Query() query: ListStaffUsersQuery) {
    return this.users.list(query);
  }

  @Get(':id')
  get(@Param('id', ParseUUIDPipe) id: string) {
    return this.users.get(id);
  }

  @Post()
  create(@Body() dto: CreateStaffUserDto, @Actor() actor: ActorContext) {
    return this.users.create(dto, actor);
  }

  @Patch(':id/roles')
  changeRoles(
    @Param('id', ParseUUIDPipe) id: string,
    @Body() dto: ChangeRolesDto,
    @Actor() actor: ActorContext,
  ) {
    return this.users.changeRoles(id, dto, actor);
  }

  @Post(':id/deactivate')
  @HttpCode(200)
  deactivate(@Param('id', ParseUUIDPipe) id: string, @Actor() actor: ActorContext) {
    return this.users.deactivate(id, actor);
  }

  @Post(':id/reactivate')
  @HttpCode(200)
  reactivate(@Param('id', ParseUUIDPipe) id: string, @Actor() actor: ActorContext) {
    return this.users.reactivate(id, actor);
  }

  @Post(':id/reset-password')
  @HttpCode(200)
  resetPassword(@Param('id', ParseUUIDPipe) id: string, @Actor() actor: ActorContext) {
    return this.users.resetPassword(id, actor);
  }
}
