// Test helper: the ScimError a call fails with (and a test failure when it succeeds or throws something else).
import { ScimError } from '../../../src/scim/index.js';

export async function failureOf(promise: Promise<unknown>): Promise<ScimError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ScimError) return error;
    throw error;
  }
  throw new Error('expected a ScimError');
}
