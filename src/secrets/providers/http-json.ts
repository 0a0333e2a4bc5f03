import type { ErrorCode } from '../../core/errors.js';
import type { ProviderName } from '../provider.js';
import { providerError } from './provider-error.js';

/**
 * One JSON request to a provider's HTTP API with `fetch`, for the providers that speak
 * plain REST (Vault, Azure Key Vault). Redirects are not followed: undici keeps custom
 * headers such as `X-Vault-Token` across a redirect, so following one could hand the token
 * to another host. Every failure becomes a `LangtrainError` through `providerError`.
 */
export interface HttpJsonRequest {
  provider: ProviderName;
  /** For messages: "reading secret db_password". */
  operation: string;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  url: URL;
  headers: Record<string, string>;
  /** Sent as JSON. */
  json?: unknown;
  /** Sent as application/x-www-form-urlencoded (OAuth token requests). */
  form?: URLSearchParams;
  /** Must not reach an error message: the value written, the token sent. */
  sensitive: readonly string[];
  timeoutMs: number;
  /** Statuses read as answers, not failures (Vault answers 404 with a body for a destroyed version). */
  accept?: readonly number[];
  /** The provider's error code and message from an error body. */
  readError: (body: unknown) => { code?: string; message?: string };
  /** Overrides the error code the status would give (an OAuth endpoint's 400 invalid_client is a credential failure). */
  codeFor?: (status: number, providerCode: string | undefined) => ErrorCode | undefined;
}

export interface HttpJsonResponse {
  status: number;
  /** Parsed JSON, or undefined for an empty or non-JSON body. */
  body: unknown;
  headers: Headers;
}

export async function requestJson(request: HttpJsonRequest): Promise<HttpJsonResponse> {
  const headers: Record<string, string> = { accept: 'application/json', ...request.headers };
  let body: string | undefined;
  if (request.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(request.json);
  } else if (request.form !== undefined) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = request.form.toString();
  }
  let response: Response;
  try {
    response = await fetch(request.url, { method: request.method, headers, body, redirect: 'manual', signal: AbortSignal.timeout(request.timeoutMs) });
  } catch (err) {
    throw providerError({
      provider: request.provider,
      operation: request.operation,
      providerMessage: `cannot reach ${request.url.origin}: ${networkReason(err, request.timeoutMs)}`,
      sensitive: request.sensitive,
    });
  }
  const text = await response.text();
  let parsed: unknown;
  if (text !== '') {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
  }
  const status = response.status;
  if ((status >= 300 || status < 200) && !(request.accept ?? []).includes(status)) {
    const said: { code?: string; message?: string } =
      status >= 300 && status < 400
        ? { message: 'the server answered with a redirect, which is not followed (credentials would go with it); give the address of the server that answers' }
        : parsed === undefined
          ? {}
          : safeRead(request.readError, parsed);
    const code = request.codeFor?.(status, said.code);
    throw providerError({
      ...(code === undefined ? {} : { code }),
      provider: request.provider,
      operation: request.operation,
      status,
      ...(said.code === undefined ? {} : { providerCode: said.code }),
      ...(said.message === undefined ? {} : { providerMessage: said.message }),
      sensitive: request.sensitive,
    });
  }
  return { status, body: parsed, headers: response.headers };
}

function safeRead(read: HttpJsonRequest['readError'], body: unknown): { code?: string; message?: string } {
  try {
    const said = read(body);
    return {
      ...(typeof said.code === 'string' ? { code: said.code } : {}),
      ...(typeof said.message === 'string' ? { message: said.message } : {}),
    };
  } catch {
    return {};
  }
}

function networkReason(err: unknown, timeoutMs: number): string {
  const e = err as { name?: string; cause?: { code?: string; name?: string } };
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return `no answer within ${timeoutMs} ms`;
  return e.cause?.code ?? e.cause?.name ?? e.name ?? 'network error';
}
