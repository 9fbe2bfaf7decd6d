import { Body, Controller, Get, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import {
  AllowPendingSignIn,
  Authenticated,
  Public,
} from '../common/decorators/access-policy.decorator.js';
import { Actor, type ActorContext, type HomecomingRequest } from '../common/request-context.js';
import { AppConfig } from '../config/app-config.js';
import { AccountService } from './account.service.js';
import { pendingStepOf, type PendingStep } from './auth-policy.js';
import { ChangePasswordDto, SignInDto, TotpCodeDto } from './dto/auth.dto.js';
import { SESSION_COOKIE } from './session.service.js';
import { SignInService } from './sign-in.service.js';
import type { StaffUser } from './staff-user.entity.js';

interface SessionView {
  user: { id: string; email: string; displayName: string; roles: string[]; totpEnabled: boolean };
  csrfToken: string;
  pendingStep: PendingStep | null;
}

function client(req: HomecomingRequest) {
  return { ip: req.ip, userAgent: req.headers['user-agent'], requestId: req.id };
}

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(
    private readonly signIn: SignInService,
    private readonly account: AccountService,
    private readonly config: AppConfig,
  ) {}

  @Post('login')
  @Public()
  @HttpCode(200)
  async login(
    @Body() dto: SignInDto,
    @Req() req: HomecomingRequest,
    @Res({ passthrough: true }) res: Response,
  ): Promise<SessionView> {
    const result = await this.signIn.execute({ ...dto, client: client(req) });
    this.setSessionCookie(res, result.token);
    return this.view(result.user, result.session.csrfToken);
  }

  @Post('logout')
  @Authenticated()
  @AllowPendingSignIn()
  @HttpCode(204)
  async logout(
    @Req() req: HomecomingRequest,
    @Actor() actor: ActorContext,
    @Res({ passthrough: true }) res: Response,
  ): Promise<void> {
    await this.account.signOut(req.staff!.sessionId, actor);
    res.clearCookie(SESSION_COOKIE, this.cookieOptions());
  }

  @Get('me')
  @Authenticated()
  @AllowPendingSignIn()
  async me(@Req() req: HomecomingRequest): Promise<SessionView> {
    return this.view(await this.account.profile(req.staff!.id), req.staff!.csrfToken);
  }

  // Ends every session of the account and opens a fresh one here.
  @Post('password')
  @Authenticated()
  @AllowPendingSignIn()
  @HttpCode(200)
  async changePassword(
    @Body() dto: ChangePasswordDto,
    @Req() req: HomecomingRequest,
    @Actor() actor: ActorContext,
    @Res({ passthrough: true }) res: Response,
  ): Promise<SessionView> {
    const fresh = await this.account.changePassword({
      userId: req.staff!.id,
      currentPassword: dto.currentPassword,
      newPassword: dto.newPassword,
      actor,
      client: client(req),
    });
    this.setSessionCookie(res, fresh.token);
    return this.view(await this.account.profile(req.staff!.id), fresh.session.csrfToken);
  }

  @Post('totp/enrol')
  @Authenticated()
  @AllowPendingSignIn()
  @HttpCode(200)
  enrolTotp(@Req() req: HomecomingRequest, @Actor() actor: ActorContext) {
    return this.account.startTotpEnrolment(req.staff!.id, actor);
  }

  @Post('totp/confirm')
  @Authenticated()
  @AllowPendingSignIn()
  @HttpCode(200)
  confirmTotp(
    @Body() dto: TotpCodeDto,
    @Req() req: HomecomingRequest,
    @Actor() actor: ActorContext,
  ) {
    return this.account.confirmTotp(req.staff!.id, dto.code, actor);
  }

  @Post('totp/disable')
  @Authenticated()
  @HttpCode(204)
  async disableTotp(
    @Body() dto: TotpCodeDto,
    @Req() req: HomecomingRequest,
    @Actor() actor: ActorContext,
  ) {
    await this.account.disableTotp(req.staff!.id, dto.code, actor);
  }

  private view(user: StaffUser, csrfToken: string): SessionView {
    return {
      user: {
        id: user.id,
        email: user.email,
        displayName: user.displayName,
        roles: user.roles,
        totpEnabled: user.totpEnabled,
      },
      csrfToken,
      pendingStep: pendingStepOf(user, this.config) ?? null,
    };
  }

  private cookieOptions() {
    return {
      httpOnly: true,
      sameSite: 'strict' as const,
      secure: this.config.auth.secureCookies,
      path: '/',
    };
  }

  private setSessionCookie(res: Response, token: string): void {
    res.cookie(SESSION_COOKIE, token, {
      ...this.cookieOptions(),
      maxAge: this.config.auth.sessionMaxMs,
    });
  }
}
