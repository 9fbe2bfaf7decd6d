import { Injectable, RequestMethod, type OnApplicationBootstrap } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import {
  ACCESS_POLICY,
  READ_SCOPE,
  type AccessPolicy,
  type ReadScope,
} from '../common/decorators/access-policy.decorator.js';

export interface RouteInfo {
  method: string;
  // As declared, e.g. `users/:id/roles` (without the global prefix).
  path: string;
  controller: string;
  handler: string;
  policy: AccessPolicy | undefined;
  // For a route that reads a part of a case (@Reads): which.
  scope?: ReadScope;
}

function joinPath(...parts: (string | string[] | undefined)[]): string {
  return parts
    .map((p) => (Array.isArray(p) ? p[0] : p) ?? '')
    .map((p) => p.replace(/^\/+|\/+$/g, ''))
    .filter(Boolean)
    .join('/');
}

// Lists every route the application registers, with its access policy. At start-up it refuses
// to run if any route has none, so an unprotected route cannot reach production by omission.
@Injectable()
export class RoutePolicyInspector implements OnApplicationBootstrap {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
  ) {}

  routes(): RouteInfo[] {
    return this.discovery.getControllers().flatMap((wrapper) => {
      const type = wrapper.metatype as (new (...args: unknown[]) => object) | undefined;
      if (!type || !wrapper.instance) return [];
      const prototype = Object.getPrototypeOf(wrapper.instance) as Record<string, unknown>;
      const base = Reflect.getMetadata(PATH_METADATA, type) as string | string[] | undefined;
      return this.scanner.getAllMethodNames(prototype).flatMap((name) => {
        const handler = prototype[name] as (...args: unknown[]) => unknown;
        const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
        if (method === undefined) return [];
        return [
          {
            method: RequestMethod[method],
            path: joinPath(base, Reflect.getMetadata(PATH_METADATA, handler) as string | undefined),
            controller: type.name,
            handler: name,
            policy: this.reflector.getAllAndOverride<AccessPolicy | undefined>(ACCESS_POLICY, [
              handler,
              type,
            ]),
            scope: this.reflector.get<ReadScope | undefined>(READ_SCOPE, handler),
          },
        ];
      });
    });
  }

  onApplicationBootstrap(): void {
    const missing = this.routes().filter((r) => !r.policy);
    if (missing.length > 0) {
      throw new Error(
        `routes without an access policy (add @Public(), @Authenticated() or @Roles(...)): ` +
          missing.map((r) => `${r.method} /${r.path} (${r.controller}.${r.handler})`).join(', '),
      );
    }
  }
}
