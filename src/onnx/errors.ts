import { printable } from '../util/printable.js';

/**
 * A model that cannot be read or is outside what onnxsmith supports; the message names the problem. It is escaped
 * here because it is printed as one line and usually quotes names taken from the model.
 */
export class ModelError extends Error {
  override readonly name = 'ModelError';
  constructor(message: string) {
    super(printable(message));
  }
}
