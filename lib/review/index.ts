// The review API, also published as the subpath `cdktf-immutable/review`: the offline
// preview of two synth outputs and the guard over a saved plan. Like the release API it
// loads no cdktf (the resource policy it reads is plain data).
export { hasViolations, PREVIEW_LABELS, previewChanges, readSynthOutput, SynthOutputError } from './preview';
export type { PreviewAction, PreviewOptions, PreviewOutput, PreviewResource, StackPreview } from './preview';
export { guardPlan, PlanFileError, readPlanFile } from './guard';
export type { GuardOptions, GuardReport, GuardViolation, GuardViolationKind } from './guard';
export { pinnedSlots } from './pinned-slots';
export type { PinnedSlot } from './pinned-slots';
