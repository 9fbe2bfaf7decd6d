import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, IsNull } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { SecretBox } from '../common/crypto/secret-box.js';
import { DomainException } from '../common/exceptions/domain.exception.js';
import type { ActorContext } from '../common/request-context.js';
import { PasswordService } from './password.service.js';
import { RecoveryCode } from './recovery-code.entity.js';
import { SessionService } from './session.service.js';
import { StaffSession } from './staff-session.entity.js';
import { StaffUser } from './staff-user.entity.js';
import { TotpService } from './totp.service.js';

// What signed-in staff do to their own account: password, two-factor sign-in.
@Injectable()
export class AccountService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly passwords: PasswordService,
    private readonly totp: TotpService,
    private readonly sessions: SessionService,
    private readonly audit: AuditService,
    private readonly secrets: SecretBox,
  ) {}

  // Ends every session of the user (including this one) and opens a fresh one for this browser.
  async changePassword(input: {
    userId: string;
    currentPassword: string;
    newPassword: string;
    actor: ActorContext;
    client: { ip?: string; userAgent?: string };
  }): Promise<{ token: string; session: StaffSession }> {
    const user = await this.findUser(input.userId);
    if (!(await this.passwords.verify(user.passwordHash, input.currentPassword))) {
      throw new DomainException('validation_failed', 'Current password is not correct', {
        errors: [
          { field: 'currentPassword', rule: 'matches', message: 'currentPassword is not correct' },
        ],
      });
    }
    if (
      input.newPassword === input.currentPassword ||
      input.newPassword.toLowerCase().includes(user.email)
    ) {
      throw new DomainException('validation_failed', 'Choose another password', {
        errors: [
          {
            field: 'newPassword',
            rule: 'differs',
            message: 'newPassword must differ from the current password and not contain the email',
          },
        ],
      });
    }
    const passwordHash = await this.passwords.hash(input.newPassword);
    return this.dataSource.transaction(async (manager) => {
      await manager
        .getRepository(StaffUser)
        .update({ id: user.id }, { passwordHash, mustChangePassword: false });
      const ended = await this.sessions.endAllForUserInTransaction(manager, user.id);
      const fresh = await this.sessions.createInTransaction(manager, user, input.client);
      await this.audit.appendInTransaction(manager, {
        action: 'user.password_change',
        actor: input.actor,
        entityType: 'staff_user',
        entityId: user.id,
        after: { sessionsEnded: ended },
      });
      return fresh;
    });
  }

  async profile(userId: string): Promise<StaffUser> {
    return this.findUser(userId);
  }

  async signOut(sessionId: string, actor: ActorContext): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      await manager.getRepository(StaffSession).delete({ id: sessionId });
      await this.audit.appendInTransaction(manager, {
        action: 'user.logout',
        actor,
        entityType: 'staff_user',
        entityId: actor.actor,
        after: { sessionId },
      });
    });
  }

  async startTotpEnrolment(
    userId: string,
    actor: ActorContext,
  ): Promise<{ secret: string; otpauthUri: string }> {
    const user = await this.findUser(userId);
    if (user.totpEnabled) {
      throw new DomainException('conflict', 'Two-factor sign-in is already on', {
        detail: 'Turn it off first to enrol another authenticator.',
      });
    }
    const secret = this.totp.newSecret();
    await this.dataSource.transaction(async (manager) => {
      await manager
        .getRepository(StaffUser)
        .update(
          { id: user.id },
          { totpSecretEncrypted: this.secrets.seal(secret), totpLastStep: null },
        );
      await this.audit.appendInTransaction(manager, {
        action: 'user.totp_enrolment_started',
        actor,
        entityType: 'staff_user',
        entityId: user.id,
      });
    });
    return { secret, otpauthUri: this.totp.uri(secret, user.email) };
  }

  // Turns two-factor sign-in on once the user proves the app works; returns the recovery codes,
  // which are shown this once and stored only as hashes.
  async confirmTotp(
    userId: string,
    code: string,
    actor: ActorContext,
  ): Promise<{ recoveryCodes: string[] }> {
    const user = await this.findUser(userId);
    if (user.totpEnabled || !user.totpSecretEncrypted) {
      throw new DomainException('conflict', 'Nothing to confirm', {
        detail: user.totpEnabled
          ? 'Two-factor sign-in is already on.'
          : 'Start the enrolment first.',
      });
    }
    const step = await this.totp.check(
      this.secrets.open(user.totpSecretEncrypted),
      code,
      undefined,
    );
    if (step === undefined) {
      throw new DomainException('validation_failed', 'Code not accepted', {
        errors: [{ field: 'code', rule: 'totp', message: 'code does not match the authenticator' }],
      });
    }
    const recoveryCodes = this.totp.newRecoveryCodes();
    await this.dataSource.transaction(async (manager) => {
      await manager
        .getRepository(StaffUser)
        .update({ id: user.id }, { totpEnabled: true, totpLastStep: String(step) });
      await manager.getRepository(RecoveryCode).delete({ userId: user.id });
      await manager.getRepository(RecoveryCode).insert(
        recoveryCodes.map((c) => ({
          userId: user.id,
          codeHash: this.totp.hashRecoveryCode(c),
          usedAt: null,
        })),
      );
      await this.audit.appendInTransaction(manager, {
        action: 'user.totp_enable',
        actor,
        entityType: 'staff_user',
        entityId: user.id,
        after: { recoveryCodes: recoveryCodes.length },
      });
    });
    return { recoveryCodes };
  }

  async disableTotp(userId: string, code: string, actor: ActorContext): Promise<void> {
    const user = await this.findUser(userId);
    if (!user.totpEnabled || !user.totpSecretEncrypted) {
      throw new DomainException('conflict', 'Two-factor sign-in is off', {
        detail: 'Nothing to turn off.',
      });
    }
    const lastStep = user.totpLastStep === null ? undefined : Number(user.totpLastStep);
    const byTotp = await this.totp.check(
      this.secrets.open(user.totpSecretEncrypted),
      code,
      lastStep,
    );
    const byRecovery =
      byTotp === undefined
        ? await this.dataSource.getRepository(RecoveryCode).findOneBy({
            userId: user.id,
            codeHash: this.totp.hashRecoveryCode(code),
            usedAt: IsNull(),
          })
        : null;
    if (byTotp === undefined && !byRecovery) {
      throw new DomainException('validation_failed', 'Code not accepted', {
        errors: [
          {
            field: 'code',
            rule: 'totp',
            message: 'code does not match the authenticator or a recovery code',
          },
        ],
      });
    }
    await this.dataSource.transaction(async (manager) => {
      await manager
        .getRepository(StaffUser)
        .update(
          { id: user.id },
          { totpEnabled: false, totpSecretEncrypted: null, totpLastStep: null },
        );
      await manager.getRepository(RecoveryCode).delete({ userId: user.id });
      await this.audit.appendInTransaction(manager, {
        action: 'user.totp_disable',
        actor,
        entityType: 'staff_user',
        entityId: user.id,
      });
    });
  }

  private async findUser(id: string): Promise<StaffUser> {
    const user = await this.dataSource.getRepository(StaffUser).findOneBy({ id });
    if (!user)
      throw new DomainException('not_found', 'No such user', { detail: `No staff user ${id}.` });
    return user;
  }
}
