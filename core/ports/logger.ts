/**
 * Structured logging. `fields` is a flat object of values; secrets (passwords, tokens, keys) are never
 * put into it: adapters redact by key name as a second line of defence.
 */
export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(bindings: Record<string, unknown>): Logger;
}
