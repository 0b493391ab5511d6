// The release API, also published as the subpath `cdktf-immutable/release`. It loads
// neither cdktf nor constructs (only node's fs, path, os and crypto), so the release command
// line and scripts that read or edit release files start in a fraction of a second.
export {
  emptyRelease,
  formatReleaseFile,
  loadReleaseFile,
  otherSlot,
  parseReleaseFile,
  releaseFilePath,
  ReleaseFileError,
  releaseWeights,
  SLOT_NAMES,
  stagedSlotOf,
} from './release-file';
export type {
  ReleaseArchitecture,
  ReleaseFile,
  ReleaseFileLocation,
  ReleaseSlot,
  ReleaseTarget,
  SlotName,
} from './release-file';
export { ReleaseLayout, releaseArguments, releaseLabel, VETO_FILE } from './release-layout';
export type { LayoutFleet, ReleaseLayoutKind } from './release-layout';
export { ReleaseLockedError, ReleaseStore } from './release-store';
export type { ReleaseScope, ReleaseStoreOptions } from './release-store';
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
export { describeFreezeWindow, openFreezeWindow } from './promotion-policy';
export type { FreezeOverride, FreezeWindow, StageFromRule, WeeklyWindow } from './promotion-policy';
export { checkFreeze, checkStageFrom, checkVetoes, servingRecordOf, vetoedSlots } from './promotion-rules';
export type { ServingRecord } from './promotion-rules';
export { emptyVetoFile, formatVetoFile, liftVeto, parseVetoFile, vetoImage, vetoOf } from './veto-file';
export type { VetoedImage, VetoFile } from './veto-file';
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
export { decideWave, reconcileWave, startWave } from './rollout-wave';
export type { WaveMember, WaveOutcome } from './rollout-wave';
