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
export {
  alarmSlotOf,
  bindAlarms,
  fleetAlarmSlot,
  formatDuration,
  parseDuration,
  parseSteps,
  RolloutInputError,
} from './rollout';
export type {
  AlarmSlot,
  Rollout,
  RolloutAbort,
  RolloutAbortCause,
  RolloutAnalysis,
  RolloutNotifications,
  RolloutPolicy,
  RolloutStatus,
} from './rollout';
export {
  abortRollout,
  abortText,
  advanceRollout,
  decideAdvance,
  MIN_ANALYSIS_HOLD_SECONDS,
  startRollout,
} from './rollout-advance';
export type {
  AdvanceInputs,
  AdvanceOptions,
  AdvanceOutcome,
  AlarmReading,
  RolloutReader,
  StartRolloutOptions,
  TargetHealthReading,
  TrafficReading,
  VerifyResult,
} from './rollout-advance';
export { decideWave, reconcileWave, startWave } from './rollout-wave';
export type { WaveMember, WaveOutcome } from './rollout-wave';
export {
  applyWatchdogRecord,
  EMPTY_WATCHDOG_RECORD,
  parseWatchdogRecord,
  watchdogRecordParameter,
} from './watchdog-record';
export type { WatchdogRecord, WatchdogRecordStatus, WatchdogVerdict } from './watchdog-record';
// canary analysis: the analysis file, its evaluator and the baseline statistics
export {
  AnalysisFileError,
  formatCondition,
  loadAnalysisFile,
  parseAnalysis,
  parseAnalysisFile,
  parseCondition,
} from './analysis-file';
export type {
  Analysis,
  AnalysisCheck,
  AnalysisFileOptions,
  BaselineCheck,
  Condition,
  MetricDataQuery,
  PlaceholderValues,
  QueryMetric,
  QueryMetricStat,
  SlotPlaceholderValues,
} from './analysis-file';
export { evaluateAnalysis } from './analysis';
export type {
  AnalysisEvaluation,
  AnalysisReadings,
  AnalysisRecord,
  AnalysisVerdict,
  BaselineReading,
  CheckRecord,
  CheckStatus,
  ComparisonRecord,
  MeasurementOutcome,
  MetricPoint,
} from './analysis';
export { analysisRequest } from './analysis-queries';
export type { AnalysisRequest, MetricSeries } from './analysis-queries';
export { compareWithBaseline, formatComparison, mannWhitneyU, rankBiserial } from './analysis-statistics';
export type {
  BaselineComparison,
  BaselineTestOptions,
  BaselineVerdict,
  MannWhitneyMethod,
  MannWhitneyResult,
  WorseDirection,
} from './analysis-statistics';
