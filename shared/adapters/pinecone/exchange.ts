/**
 * What the HTTP layer saw during one client call. The official client turns responses into
 * error classes that drop the status for 429 and 5xx (and map 403 to "bad request") and never
 * keep the headers, so the adapter hands the client a fetch that records them here, per call,
 * through AsyncLocalStorage: the retry decision reads the real status and the provider's wait.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { isTransportFailure } from '../../resilience/index.ts';

export interface Exchange {
  status?: number;
  headers?: Headers;
  /** The request never got a response: a timeout or a connection failure. */
  networkError?: unknown;
}

const exchanges = new AsyncLocalStorage<Exchange>();

/** Runs one client call, recording its HTTP exchange into `exchange`. */
export function recordingExchange<T>(exchange: Exchange, fn: () => Promise<T>): Promise<T> {
  return exchanges.run(exchange, fn);
}

/** A fetch for the client: a per-request timeout (unless the client set a signal), and the exchange recorded. */
export function recordingFetch(timeoutMs: number): (input: string | URL | Request, init?: RequestInit) => Promise<Response> {
  return async (input, init) => {
    const exchange = exchanges.getStore();
    try {
      const response = await fetch(input, init?.signal ? init : { ...init, signal: AbortSignal.timeout(timeoutMs) });
      if (exchange) {
        exchange.status = response.status;
        exchange.headers = response.headers;
      }
      return response;
    } catch (error) {
      if (exchange && isTransportFailure(error)) exchange.networkError = error;
      throw error;
    }
  };
}
