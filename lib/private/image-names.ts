/**
 * Names that the image pipelines, the fleets and the release command must agree on.
 * This module imports nothing, so the release CLI can use it without loading cdktf.
 */

/** An AMI pipeline's name: short enough for `<name>-<component>` and the IAM name prefixes. */
export const PIPELINE_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{2,63}$/;

/** What {@link PIPELINE_NAME} accepts, for error messages. */
export const PIPELINE_NAME_RULE = '3 to 64 letters, digits, "_" or "-", starting with a letter or digit';

/**
 * A fleet's name (`BlueGreenFleet` / `ReplaceFleet` `name`): letters, digits and hyphens,
 * at most 64, not starting or ending with a hyphen.
 */
export const FLEET_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?$/;

/** The prefix of every in-use mark on an AMI (`cdktf-immutable:in-use`, and per fleet slot below it). */
export const IN_USE_TAG_KEY = 'cdktf-immutable:in-use';

/**
 * The SSM parameter an AMI pipeline publishes its newest AMI id to, in every
 * distribution region, unless `amiParameterName` overrides it: `/images/<pipeline>/ami-id`.
 * `release stage --from-pipeline <pipeline>` reads the same name.
 */
export function defaultAmiParameterName(pipeline: string): string {
  return `/images/${pipeline}/ami-id`;
}

/**
 * The tag key with which a fleet slot marks the AMI it runs:
 * `cdktf-immutable:in-use:<fleet>:<slot>` (blue/green), `cdktf-immutable:in-use:<fleet>`
 * (a replace fleet, which has no slot). The fleet's name is unique per account and
 * region (its target groups carry it), so every environment's slot has its own key:
 * one stack removing its mark never removes another's.
 */
export function inUseTagKey(fleet: string, slot?: string): string {
  return slot === undefined ? `${IN_USE_TAG_KEY}:${fleet}` : `${IN_USE_TAG_KEY}:${fleet}:${slot}`;
}

/** Every key a fleet named `fleet` may mark an AMI with (blue/green slots, or a replace fleet). */
export function inUseTagKeys(fleet: string): string[] {
  return [inUseTagKey(fleet), inUseTagKey(fleet, 'blue'), inUseTagKey(fleet, 'green')];
}
