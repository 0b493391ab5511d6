// The release API, also published as the subpath `cdktf-immutable/release`. It loads
// neither cdktf nor constructs (only node's fs, path, os and crypto), so the release command
// line and scripts that read or edit release files start in a fraction of a second.
export {
  emptyRelease,
  formatReleaseFile,
  loadReleaseFile,
  otherSlot,
  parseReleaseFile,
  ReleaseFileError,
  releaseWeights,
  SLOT_NAMES,
  stagedSlotOf,
} from './release-file';
export type { ReleaseFile, ReleaseSlot, SlotName } from './release-file';
export { ReleaseLockedError, ReleaseStore } from './release-store';
export type { ReleaseStoreOptions } from './release-store';
export {
  promoteRelease,
  recordIdle,
  recordServed,
  ReleaseInputError,
  ReleaseRefusedError,
  rollbackRelease,
  stageRelease,
  stageSameImage,
} from './transitions';
export type { PromoteOptions, RollbackOptions, StageOptions, StageSameImageOptions } from './transitions';
export { formatDuration, parseDuration, parseSteps, RolloutInputError } from './rollout';
export type { Rollout, RolloutAbort, RolloutPolicy, RolloutStatus } from './rollout';
export { advanceRollout, decideAdvance, startRollout } from './rollout-advance';
export type {
  AdvanceOutcome,
  AlarmReading,
  RolloutReader,
  StartRolloutOptions,
  TargetHealthReading,
  TrafficReading,
} from './rollout-advance';
