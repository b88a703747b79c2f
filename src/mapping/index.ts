// Public face of mapping/: compile a mapping configuration once, then evaluate or explain users and groups with it.
export { compileMapping, MappingConfigError, type CompiledMapping, type MappingInput, type MappingProblem } from './compile.js';
export { carriesExternalMarker, defaultGuestRule, externalUserName, guestRules, type GuestOutcome, type GuestRule } from './guests.js';
export {
  evaluateGroup,
  evaluateUser,
  type EvaluationContext,
  type GroupEvaluation,
  type MappingSourceGroup,
  type MappingSourceUser,
  type UserEvaluation,
} from './evaluate.js';
export {
  explainGroup,
  explainUser,
  type AttributeExplanation,
  type ClauseExplanation,
  type ExplainedValue,
  type Explanation,
  type FilterExplanation,
} from './explain.js';
export type { MappedValue, MappingError } from './attribute.js';
export type { MappingErrorCode } from './values.js';
