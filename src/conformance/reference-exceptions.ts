/**
 * ONNX node tests the reference interpreter is allowed not to pass, each with the reason. A test for an
 * implemented operator that neither passes nor appears here fails the conformance suite.
 */
export const REFERENCE_EXCEPTIONS: Readonly<Record<string, string>> = {};
