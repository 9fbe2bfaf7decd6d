import { HttpError } from 'react-admin';

// What the API answers on failure (RFC 9457 problem+json, see src/common/filters/).
export interface Problem {
  type?: string;
  title?: string;
  status: number;
  detail?: string;
  code?: string;
  requestId?: string;
  errors?: { field: string; rule?: string; message: string }[];
  [extension: string]: unknown;
}

// An API failure as react-admin expects it: an HttpError with the message for the notification,
// the problem document as its body, and under body.errors a { field: message } map that
// react-admin puts on the form's inputs. (HttpError resets its prototype in its constructor, so
// it cannot be subclassed: read failures with problemOf.)
export function apiError(problem: Problem): HttpError {
  return new HttpError(messageOf(problem), problem.status, {
    ...problem,
    fieldErrors: problem.errors,
    errors: problem.errors?.length
      ? Object.fromEntries(problem.errors.map((e) => [e.field, e.message]))
      : undefined,
  });
}

// The problem document behind a failed call, if it was one.
export function problemOf(
  error: unknown,
): (Problem & { errors?: Record<string, string> }) | undefined {
  const body = (error as { body?: unknown } | undefined)?.body;
  return body && typeof body === 'object' && 'status' in body ? (body as never) : undefined;
}

export const problemCode = (error: unknown) => problemOf(error)?.code;

function messageOf(problem: Problem): string {
  if (problem.errors?.length) return problem.errors.map((e) => e.message).join('; ');
  return problem.detail ?? problem.title ?? `Request failed (${problem.status})`;
}

// The CSRF token of the current session: from sign-in, or GET /api/auth/me after a reload.
let csrfToken: string | undefined;
export const setCsrfToken = (token: string | undefined) => {
  csrfToken = token;
};

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface RequestOptions {
  method?: string;
  body?: unknown;
  // Sent as it is (a file the user picked), with its own content type, instead of JSON.
  file?: { data: Blob; contentType: string };
  headers?: Record<string, string>;
  query?: Record<string, string | number | boolean | string[] | undefined | null>;
}

export function apiUrl(path: string, query?: RequestOptions['query']): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value === undefined || value === null || value === '') continue;
    params.set(key, Array.isArray(value) ? value.join(',') : String(value));
  }
  const search = params.toString();
  return `/api${path}${search ? `?${search}` : ''}`;
}

// fetch for our API: same-origin cookie, CSRF header on writes, JSON both ways, problem+json →
// ApiError. A write made before the token is known fetches it first.
export async function api<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const method = options.method ?? 'GET';
  const headers: Record<string, string> = { Accept: 'application/json', ...options.headers };
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  if (options.file) headers['Content-Type'] = options.file.contentType;
  if (!SAFE.has(method)) {
    if (!csrfToken && path !== '/auth/login') await refreshCsrfToken();
    if (csrfToken) headers['X-CSRF-Token'] = csrfToken;
  }
  let response: Response;
  try {
    response = await fetch(apiUrl(path, options.query), {
      method,
      headers,
      credentials: 'same-origin',
      body: options.file
        ? options.file.data
        : options.body === undefined
          ? undefined
          : JSON.stringify(options.body),
    });
  } catch {
    throw apiError({ status: 0, title: 'The server cannot be reached', code: 'network' });
  }
  const text = await response.text();
  const json = text ? safeJson(text) : undefined;
  if (!response.ok) {
    throw apiError(
      json && typeof json === 'object'
        ? { ...(json as Problem), status: response.status }
        : { status: response.status, title: response.statusText },
    );
  }
  return json as T;
}

async function refreshCsrfToken(): Promise<void> {
  try {
    const me = await api<{ csrfToken: string }>('/auth/me');
    csrfToken = me.csrfToken;
  } catch {
    // Not signed in: the write fails with 401 and react-admin sends the user to sign in.
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
