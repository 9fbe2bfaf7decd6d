import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsEmail, IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';

const trimLower = ({ value }: { value: unknown }) =>
  typeof value === 'string' ? value.trim().toLowerCase() : value;

export const PASSWORD_MIN = 12;
// argon2 hashes whatever it is given; a cap keeps a huge "password" from costing us.
export const PASSWORD_MAX = 256;

export class SignInDto {
  @ApiProperty({ example: 'caseworker@example.org' })
  @Transform(trimLower)
  @IsEmail()
  @MaxLength(254)
  email!: string;

  @ApiProperty()
  @IsString()
  @MinLength(1)
  @MaxLength(PASSWORD_MAX)
  password!: string;

  @ApiPropertyOptional({ description: 'Six-digit code from the authenticator app' })
  @IsOptional()
  @Matches(/^\d{6}$/, { message: 'totpCode must be six digits' })
  totpCode?: string;

  @ApiPropertyOptional({ description: 'A one-time recovery code, instead of totpCode' })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  recoveryCode?: string;
}

export class ChangePasswordDto {
  @ApiProperty()
  @IsString()
  @MaxLength(PASSWORD_MAX)
  currentPassword!: string;

  @ApiProperty({ minLength: PASSWORD_MIN })
  @IsString()
  @MinLength(PASSWORD_MIN)
  @MaxLength(PASSWORD_MAX)
  newPassword!: string;
}

export class TotpCodeDto {
  @ApiProperty({ description: 'Six-digit code, or a recovery code where accepted' })
  @IsString()
  @MinLength(6)
  @MaxLength(40)
  code!: string;
}
