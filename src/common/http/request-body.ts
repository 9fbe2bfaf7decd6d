import type { NextFunction, Request, Response } from 'express';
import type { IncomingMessage } from 'node:http';
import { DomainException } from '../exceptions/domain.exception.js';

// Routes that take a file larger than BODY_LIMIT: the intake webhook (raw mail, up to
// INTAKE_MAX_BYTES, parsed before the route because its signature covers the bytes) and the
// registry import (read by its handler, after sign-in and roles are checked).
export const INTAKE_ROUTE = '/api/intake/email';
export const REGISTRY_IMPORT_ROUTE = '/api/registry/imports';

type AnyRequest = IncomingMessage & { originalUrl?: string };

export const pathOf = (req: AnyRequest) => (req.originalUrl ?? req.url ?? '').split('?')[0];

export function isFileRoute(req: AnyRequest): boolean {
  const path = pathOf(req);
  return path === INTAKE_ROUTE || path === REGISTRY_IMPORT_ROUTE;
}

// A request whose declared length is over what its route takes is refused before a byte of the
// body is read: anyone, signed in or not, could otherwise make a process buffer it.
export function refuseLargeBodies(limits: {
  body: number;
  intake: number;
  registry: number;
}): (req: Request, res: Response, next: NextFunction) => void {
  return (req, _res, next) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    const path = pathOf(req);
    const limit =
      path === INTAKE_ROUTE
        ? limits.intake
        : path === REGISTRY_IMPORT_ROUTE
          ? limits.registry
          : limits.body;
    if (Number.isFinite(declared) && declared > limit) {
      next(
        new DomainException('payload_too_large', 'The request body is too large', {
          detail: `This route takes at most ${limit} bytes.`,
          extensions: { limitBytes: limit },
        }),
      );
      return;
    }
    next();
  };
}

// The body of a request that no parser read (a file route), up to `limit` bytes; larger → 413.
export function readBody(req: Request, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        reject(
          new DomainException('payload_too_large', 'The request body is too large', {
            detail: `This route takes at most ${limit} bytes.`,
            extensions: { limitBytes: limit },
          }),
        );
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
