import { DomainException } from '../common/exceptions/domain.exception.js';
import type { CallbackState } from './callback.entity.js';

export function callbackNotFound(id: string): DomainException {
  return new DomainException('not_found', 'No such callback', { detail: `No callback ${id}.` });
}

export function callbackNotOpen(state: CallbackState): DomainException {
  return new DomainException('conflict', 'The callback is no longer open', {
    detail: `The callback is ${state}; only an open callback can be completed, missed or cancelled.`,
    extensions: { state },
  });
}

export function staleCallbackVersion(seen: number, current: number): DomainException {
  return new DomainException('stale_version', 'Changed by someone else', {
    detail: `The callback was changed since version ${seen}; reload it and try again.`,
    extensions: { currentVersion: current },
  });
}
