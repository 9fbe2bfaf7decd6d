import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { PinoLogger } from 'nestjs-pino';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { systemActor } from '../common/request-context.js';
import { AppConfig } from '../config/app-config.js';
import { PasswordService } from './password.service.js';
import { StaffUser } from './staff-user.entity.js';

const FIRST_ADMIN_LOCK = 7_200_417_011;
const DEFAULT_ADMIN_EMAIL = 'admin@homecoming.local';

// When nobody can sign in yet, create the first admin: from ADMIN_EMAIL / ADMIN_PASSWORD, or with
// a generated password shown once on the console (stderr, never the log), to be changed at first
// sign-in. Replicas starting together take turns; only the first finds the table empty.
@Injectable()
export class FirstAdminService implements OnApplicationBootstrap {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly passwords: PasswordService,
    private readonly audit: AuditService,
    private readonly logger: PinoLogger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const { email = DEFAULT_ADMIN_EMAIL, password } = this.config.auth.firstAdmin;
    const chosen = password ?? this.passwords.generate();
    const passwordHash = await this.passwords.hash(chosen);
    const created = await this.dataSource.transaction(async (manager) => {
      await manager.query('SELECT pg_advisory_xact_lock($1)', [FIRST_ADMIN_LOCK]);
      if ((await manager.getRepository(StaffUser).count()) > 0) return undefined;
      const admin = await manager.getRepository(StaffUser).save(
        manager.getRepository(StaffUser).create({
          email,
          displayName: 'Administrator',
          roles: ['admin'],
          passwordHash,
          mustChangePassword: password === undefined,
        }),
      );
      await this.audit.appendInTransaction(manager, {
        action: 'user.create',
        actor: systemActor('first-admin'),
        entityType: 'staff_user',
        entityId: admin.id,
        after: {
          email,
          roles: admin.roles,
          active: true,
          generatedPassword: password === undefined,
        },
      });
      return admin;
    });
    if (!created) return;
    this.logger.info('first admin account created');
    if (password === undefined) {
      process.stderr.write(
        `\n  homecoming: first admin account created\n    email:    ${email}\n` +
          `    password: ${chosen}\n  Shown this once. Sign in at /admin and change it.\n\n`,
      );
    }
  }
}
