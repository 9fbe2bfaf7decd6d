import { Module, RequestMethod, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import { APP_GUARD, DiscoveryModule } from '@nestjs/core';
import { AuditModule } from '../audit/audit.module.js';
import { AccountService } from './account.service.js';
import { AuthController } from './auth.controller.js';
import { AuthGuard } from './auth.guard.js';
import { FirstAdminService } from './first-admin.service.js';
import { LoginRateLimitMiddleware } from './login-rate-limit.middleware.js';
import { PasswordService } from './password.service.js';
import { RoutePolicyInspector } from './route-policy.inspector.js';
import { SessionService } from './session.service.js';
import { SignInService } from './sign-in.service.js';
import { StaffDirectoryController } from './staff-directory.controller.js';
import { StaffUsersController } from './staff-users.controller.js';
import { StaffUsersService } from './staff-users.service.js';
import { TotpService } from './totp.service.js';

@Module({
  imports: [AuditModule, DiscoveryModule],
  controllers: [AuthController, StaffUsersController, StaffDirectoryController],
  providers: [
    { provide: APP_GUARD, useClass: AuthGuard },
    AccountService,
    FirstAdminService,
    PasswordService,
    RoutePolicyInspector,
    SessionService,
    SignInService,
    StaffUsersService,
    TotpService,
  ],
  exports: [SessionService, RoutePolicyInspector],
})
export class AuthModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer
      .apply(LoginRateLimitMiddleware)
      .forRoutes({ path: 'auth/login', method: RequestMethod.POST });
  }
}
