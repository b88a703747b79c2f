// Multi-valued functions (FUNC): Count, Item, Join, RemoveDuplicates, SingleAppRoleAssignment, Split.
import { EvaluationFailure, integerOf, isList, textOf, type Value } from '../values.js';
import { arg, textArgument, type FunctionSpec } from './spec.js';

function valuesOf(value: Value): readonly string[] {
  if (value === null) return [];
  return isList(value) ? value : [textOf(value)];
}

export const listFunctions: Record<string, FunctionSpec> = {
  Count: { min: 1, max: 1, evaluate: (args, scope) => valuesOf(arg(args, 0, scope)).length },
  Item: {
    min: 2,
    max: 2,
    evaluate: (args, scope) => {
      const index = integerOf(arg(args, 1, scope), 'Item index');
      return valuesOf(arg(args, 0, scope))[index - 1] ?? null; // 1-based; FUNC: "Index 0 shouldn't be used"
    },
  },
  Join: {
    min: 2,
    max: Number.POSITIVE_INFINITY,
    evaluate: (args, scope) => {
      const separator = textArgument(arg(args, 0, scope)) ?? '';
      const parts: string[] = [];
      for (let index = 1; index < args.length; index += 1) {
        // Empty values are skipped: FUNC's example Join(", ", "", [surname], [givenName]) gives "Doe, John".
        for (const part of valuesOf(arg(args, index, scope))) if (part !== '') parts.push(part);
      }
      return parts.join(separator);
    },
  },
  RemoveDuplicates: {
    min: 1,
    max: 1,
    evaluate: (args, scope) => {
      const value = arg(args, 0, scope);
      return isList(value) ? [...new Set(value)] : value;
    },
  },
  // [appRoleAssignments] reads as the list of the user's role values for this app (default access excluded).
  SingleAppRoleAssignment: {
    min: 1,
    max: 1,
    evaluate: (args, scope) => {
      const roles = [...new Set(valuesOf(arg(args, 0, scope)))];
      if (roles.length > 1) {
        throw new EvaluationFailure('multipleAppRoles', `the user has ${roles.length} app roles (${roles.join(', ')}); SingleAppRoleAssignment needs one`);
      }
      return roles[0] ?? null;
    },
  },
  Split: {
    min: 2,
    max: 2,
    evaluate: (args, scope) => {
      const delimiter = textArgument(arg(args, 1, scope));
      if (delimiter === undefined || delimiter === '') throw new EvaluationFailure('invalidArgument', 'Split needs a non-empty delimiter');
      const value = arg(args, 0, scope);
      if (value === null) return null;
      // Items are trimmed, as in FUNC's example ("PermissionSetOne, PermissionSetTwo" → two names without the space).
      return valuesOf(value).flatMap((text) => text.split(delimiter).map((part) => part.trim()).filter((part) => part !== ''));
    },
  },
};
