/**
 * How a long-running operation ended, when it did not succeed: the operation's own error from its status
 * body (`{ status: 'Failed' | 'Canceled', error: { code, message } }`, learn.microsoft.com: "Track
 * asynchronous Azure operations"). The SDK's poller throws a plain Error with neither (core-lro
 * dist/commonjs/poller/operation.js, processOperationStatus: "The long-running operation has failed";
 * poller.js: "Operation was canceled"), so the answer is kept from the responses themselves and this
 * error, with the operation's `code`, is thrown instead for classifyAzureError.
 */
export class LroFailure extends Error {
  readonly code: string;
  readonly status: 'Failed' | 'Canceled';
  constructor(status: 'Failed' | 'Canceled', code: string, message: string) {
    super(message);
    this.name = 'LroFailure';
    this.status = status;
    this.code = code;
  }
}

/** The part of the SDK's raw response (core-client FullOperationResponse) read here. */
interface RawResponse {
  request: { method: string };
  parsedBody?: unknown;
}

interface Body {
  etag?: unknown;
  status?: unknown;
  error?: { code?: unknown; message?: unknown };
  properties?: { provisioningState?: unknown };
}

/**
 * Watches the responses of one begin...AndWait (its initial request, the polls and the final GET all go
 * through `onResponse`: @azure/arm-network dist/commonjs/lroImpl.js, createLroSpec): remembers the ETag
 * the PUT answered with, and how the operation ended if it failed or was canceled.
 */
export function lroWatch(): {
  onResponse: (raw: RawResponse) => void;
  /** The ETag in the answer to the PUT itself (the resource right after our change). */
  putEtag(): string | undefined;
  /** Runs the SDK call; a poller error of a Failed/Canceled operation becomes an LroFailure. */
  run<T>(send: () => Promise<T>): Promise<T>;
} {
  let putEtag: string | undefined;
  let ended: LroFailure | undefined;
  return {
    onResponse(raw) {
      const body = (raw.parsedBody ?? undefined) as Body | undefined;
      if (!body || typeof body !== 'object') return;
      if (raw.request.method === 'PUT' && typeof body.etag === 'string') putEtag ??= body.etag;
      const status =
        typeof body.status === 'string' ? body.status : String(body.properties?.provisioningState ?? '');
      if (status !== 'Failed' && status !== 'Canceled') return;
      const code = typeof body.error?.code === 'string' ? body.error.code : `LongRunningOperation${status}`;
      const message =
        typeof body.error?.message === 'string'
          ? body.error.message
          : `the long-running operation ended ${status} without an error body`;
      ended = new LroFailure(status, code, message);
    },
    putEtag: () => putEtag,
    async run<T>(send: () => Promise<T>): Promise<T> {
      try {
        return await send();
      } catch (err) {
        if (ended && !(err as { statusCode?: unknown }).statusCode) throw ended;
        throw err;
      }
    },
  };
}
