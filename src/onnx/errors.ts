/** A model that cannot be read or is outside what onnxsmith supports; the message names the problem. */
export class ModelError extends Error {
  override readonly name = 'ModelError';
}
