// `cdktf-immutable/names`: the names and identifier patterns that the constructs and the
// command line (the cdktf-immutable-cli package) must agree on: the tags with which the
// fleets mark their groups (`release advance` finds them by these), the SSM parameter an
// AmiPipeline publishes its AMI id to (`release stage --from-pipeline` reads it), and the
// patterns both check ids against. Each is defined once, in the library; like the release
// API, this entry point loads neither cdktf nor constructs.
export { AMI_ID, REGION, SSM_PARAMETER_NAME } from '../private/aws-ids';
export { defaultAmiParameterName, PIPELINE_NAME, PIPELINE_NAME_RULE } from '../private/image-names';
export { FLEET_TAG, SLOT_TAG } from '../release/rollout';
