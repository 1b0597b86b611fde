/**
 * Bad input to the virtual-service API. The message names the call and the field; the service is left
 * exactly as it was before the call (every check runs before any change).
 */
export class LbInputError extends Error {
  readonly field: string;
  constructor(field: string, message: string) {
    super(`${field}: ${message}`);
    this.name = 'LbInputError';
    this.field = field;
  }
}
