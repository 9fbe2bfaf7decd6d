import { Global, Module } from '@nestjs/common';
import { AppConfig } from '../../config/app-config.js';
import { SecretBox } from './secret-box.js';

@Global()
@Module({
  providers: [
    {
      provide: SecretBox,
      inject: [AppConfig],
      useFactory: (config: AppConfig) => {
        const key = config.security.dataEncryptionKey;
        if (!key) throw new Error('DATA_ENCRYPTION_KEY is not set');
        return new SecretBox(key, config.security.oldDataEncryptionKeys);
      },
    },
  ],
  exports: [SecretBox],
})
export class CryptoModule {}
