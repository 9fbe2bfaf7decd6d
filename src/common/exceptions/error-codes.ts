// Stable codes for every error the API can answer with. Clients and the admin UI key on these;
// the problem `type` is derived from them. Add a code here and the compiler makes the filter's
// switch say which HTTP status it maps to.
export const ERROR_CODES = [
  'validation_failed',
  'malformed_json',
  'unsupported_media_type',
  'payload_too_large',
  'route_not_found',
  'not_found',
  'method_not_allowed',
  'unauthorized',
  'invalid_credentials',
  'totp_required',
  'forbidden',
  'csrf_failed',
  'password_change_required',
  'totp_enrolment_required',
  'last_admin',
  'illegal_transition',
  'guard_blocked',
  'idempotency_key_reused',
  'no_email_address',
  'attachment_blocked',
  'attachment_not_stored',
  'registry_import_invalid',
  'unreadable_file',
  'four_eyes_required',
  'countersign_mismatch',
  'erasure_not_allowed',
  'conflict',
  'unique_violation',
  'stale_version',
  'too_many_requests',
  'bad_request',
  'service_unavailable',
  'internal_error',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export function problemTypeFor(code: ErrorCode): string {
  return `urn:homecoming:problem:${code.replaceAll('_', '-')}`;
}
