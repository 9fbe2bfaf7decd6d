import { Injectable } from '@nestjs/common';
import canonicalize from 'canonicalize';
import { createHash } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { DomainException } from '../exceptions/domain.exception.js';
import { IdempotencyKey } from './idempotency-key.entity.js';

export interface IdempotentRequest {
  scope: string;
  key: string;
  method: string;
  path: string;
  body: unknown;
}

export const IDEMPOTENCY_KEY = /^[A-Za-z0-9._:-]{8,128}$/;

// Inside the caller's transaction: the key is claimed by an INSERT, so of several concurrent
// retries one does the work and the others wait on the unique key until it commits, then replay
// its answer. If the first rolls back, its claim goes with it and a retry does the work.
@Injectable()
export class IdempotencyService {
  async runOnceInTransaction<T>(
    manager: EntityManager,
    request: IdempotentRequest,
    work: () => Promise<{ status: number; body: T }>,
  ): Promise<{ status: number; body: T; replayed: boolean }> {
    const requestHash = createHash('sha256')
      .update(`${request.method} ${request.path}\n${canonicalize(request.body ?? null) ?? ''}`)
      .digest('hex');
    const claimed = (await manager.query(
      `INSERT INTO idempotency_key (scope, key, request_hash) VALUES ($1, $2, $3)
       ON CONFLICT (scope, key) DO NOTHING RETURNING key`,
      [request.scope, request.key, requestHash],
    )) as unknown[];
    if (claimed.length === 0) {
      const stored = await manager
        .getRepository(IdempotencyKey)
        .findOneByOrFail({ scope: request.scope, key: request.key });
      if (stored.requestHash !== requestHash || stored.responseStatus === null) {
        throw new DomainException('idempotency_key_reused', 'Idempotency-Key already used', {
          detail: 'This Idempotency-Key was used for a different request; use a new key.',
        });
      }
      return { status: stored.responseStatus, body: stored.responseBody as T, replayed: true };
    }
    const result = await work();
    await manager
      .getRepository(IdempotencyKey)
      .update(
        { scope: request.scope, key: request.key },
        { responseStatus: result.status, responseBody: result.body as object },
      );
    return { ...result, replayed: false };
  }
}
