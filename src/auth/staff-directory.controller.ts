import { Controller, Get } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { ROLES, Roles, type Role } from '../common/decorators/access-policy.decorator.js';

export interface StaffDirectoryEntry {
  id: string;
  displayName: string;
  roles: Role[];
  active: boolean;
}

// Colleagues' names and roles, for every signed-in member of staff: who a case is assigned to,
// who changed it, whom to assign it to. No emails, no security state (that is the admin's /users).
@ApiTags('users')
@Controller('staff')
export class StaffDirectoryController {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  @Get()
  @Roles(...ROLES)
  async list(): Promise<StaffDirectoryEntry[]> {
    return (await this.dataSource.query(
      `SELECT id, display_name AS "displayName", roles, active FROM staff_user
       ORDER BY active DESC, display_name, id`,
    )) as StaffDirectoryEntry[];
  }
}
